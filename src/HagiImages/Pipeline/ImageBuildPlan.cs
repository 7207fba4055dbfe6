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

    /// <summary>
    /// The image's folder plus the CA bundle and npmrc under <c>build-only/</c>, which only the CLI build stages copy.
    /// They are readable by all because npm runs there as the image user; those stages never reach the final image.
    /// </summary>
    public static BuildContext CreateContext(ImageManifest manifest, BuildSettings settings)
    {
        var context = BuildContext.FromDirectory(manifest.Directory);
        if (settings.CaBundle is not null)
        {
            context = context.AddFile("build-only/ca-bundle.crt", settings.CaBundle, ReadableByAll);
        }

        if (settings.Npmrc is not null)
        {
            context = context.AddFile("build-only/npmrc", settings.Npmrc, ReadableByAll);
        }

        return context;
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
