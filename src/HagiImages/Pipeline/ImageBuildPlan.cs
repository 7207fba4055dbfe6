using System.Globalization;
using HagiImages.BuildImages;
using HagiImages.Manifest;
using HagiImages.Resolve;

namespace HagiImages.Pipeline;

/// <summary>
/// The context, tags and labels of an image build.
/// </summary>
public static class ImageBuildPlan
{
    private const UnixFileMode ReadableByAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    // Everything in build-only/ but its .gitignore, which keeps the folder that the Dockerfile copies.
    private static readonly string[] BuildOnlyFiles = ["build-only/*", "!build-only/.gitignore"];

    /// <summary>
    /// The image's folder plus, for each CLI, the verified tarballs of its locked tree in an npm cache folder,
    /// <c>npm/&lt;cli id&gt;/cache/</c>, from which its build stage installs offline. The context carries no CA
    /// bundle and no npmrc: files that a plain <c>docker build</c> would read from <c>build-only/</c> are left out,
    /// so the images of the CLI stages hold no secret and may stay as the build cache.
    /// </summary>
    /// <param name="manifest">The image.</param>
    /// <param name="tarballs">The tarballs of each CLI, by CLI id; every CLI of the manifest needs an entry.</param>
    /// <exception cref="ArgumentException">A CLI of the manifest has no entry.</exception>
    public static BuildContext CreateContext(ImageManifest manifest, IReadOnlyDictionary<string, IReadOnlyList<StoredTarball>> tarballs)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(tarballs);
        var context = BuildContext.FromDirectory(manifest.Directory, extraIgnorePatterns: BuildOnlyFiles);
        foreach (var cli in manifest.Clis)
        {
            if (!tarballs.TryGetValue(cli.Id, out var files))
            {
                throw new ArgumentException($"No tarballs were given for CLI '{cli.Id}' of image '{manifest.Name}'.", nameof(tarballs));
            }

            foreach (var file in files)
            {
                context = context.AddFileFromDisk($"{PackageTreeLocker.NpmFolder}/{cli.Id}/cache/{file.CachePath}", file.Path, ReadableByAll);
            }
        }

        return context;
    }

    /// <summary>
    /// Downloads or finds in <paramref name="store"/> the tarballs of every CLI of <paramref name="manifest"/> for
    /// <paramref name="platform"/>.
    /// </summary>
    /// <exception cref="PipelineException">See <see cref="PackageTarballStore.FetchAsync"/>.</exception>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<StoredTarball>>> FetchTarballsAsync(
        ImageManifest manifest, PackageTarballStore store, NpmPlatform platform, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(store);
        var tarballs = new Dictionary<string, IReadOnlyList<StoredTarball>>(StringComparer.Ordinal);
        foreach (var cli in manifest.Clis)
        {
            var packageLock = Path.Combine(PackageTreeLocker.FolderFor(manifest, cli.Id), "package-lock.json");
            tarballs[cli.Id] = await store.FetchAsync(packageLock, platform, cancellationToken).ConfigureAwait(false);
        }

        return tarballs;
    }

    /// <summary>Returns <c>repository:version</c> and <c>repository:sha-&lt;7 hex&gt;</c>.</summary>
    public static IReadOnlyList<string> Tags(ImageManifest manifest, BuildIdentity identity) =>
        [$"{manifest.Repository}:{identity.Version}", $"{manifest.Repository}:sha-{identity.Revision[..7]}"];

    /// <summary>Returns the OCI labels and one version label per CLI.</summary>
    public static IReadOnlyDictionary<string, string> Labels(ImageManifest manifest, ImageLock imageLock, BuildIdentity identity)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["org.opencontainers.image.title"] = manifest.Name,
            ["org.opencontainers.image.description"] = manifest.Description,
            ["org.opencontainers.image.version"] = identity.Version,
            ["org.opencontainers.image.revision"] = identity.Revision,
            ["org.opencontainers.image.created"] = identity.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["io.hagicode.node.version"] = imageLock.Node.Version,
        };
        if (identity.Source.Length > 0)
        {
            labels["org.opencontainers.image.source"] = identity.Source;
        }

        foreach (var cli in manifest.Clis)
        {
            labels[$"io.hagicode.cli.{cli.Id}.package"] = cli.Package;
            labels[$"io.hagicode.cli.{cli.Id}.version"] = imageLock.Clis[cli.Id].Version;
        }

        return labels;
    }
}
