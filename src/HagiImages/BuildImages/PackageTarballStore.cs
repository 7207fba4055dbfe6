using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using HagiImages.Npm;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BuildImages;

/// <summary>
/// Downloads the tarballs of a locked npm tree on the build host and keeps them in a folder named by their sha512,
/// so that a CLI's build stage installs with <c>npm ci --offline</c>: it needs no network, no CA bundle and no
/// token, and the classic builder can keep it in its cache. Every tarball is checked against the lock's integrity,
/// both after a download and when it is taken from the folder.
/// </summary>
public sealed class PackageTarballStore
{
    private const string Sha512Prefix = "sha512-";

    private readonly NpmRegistryClient client;
    private readonly string directory;
    private readonly ILogger logger;
    private readonly int parallelDownloads;

    /// <param name="client">Downloads with the registry settings and tokens of the build host.</param>
    /// <param name="directory">The folder of the store; it is created when missing.</param>
    /// <param name="logger">Receives one line per tree.</param>
    /// <param name="parallelDownloads">How many tarballs are downloaded at the same time.</param>
    public PackageTarballStore(NpmRegistryClient client, string directory, ILogger logger, int parallelDownloads = 4)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelDownloads, 1);
        this.client = client;
        this.directory = Path.GetFullPath(directory);
        this.logger = logger;
        this.parallelDownloads = parallelDownloads;
    }

    /// <summary>
    /// Returns the verified tarballs of every package that <c>npm ci --omit=dev</c> installs from
    /// <paramref name="packageLockPath"/> on <paramref name="platform"/>, downloading those the store lacks. Packages
    /// for another platform, development packages, links and packages bundled inside another are left out.
    /// </summary>
    /// <returns>The tarballs, ordered by package name and version.</returns>
    /// <exception cref="PipelineException">The lock cannot be read, an entry has no http(s) URL or no sha512
    /// integrity, a download failed, or a tarball does not match its integrity.</exception>
    public async Task<IReadOnlyList<StoredTarball>> FetchAsync(string packageLockPath, NpmPlatform platform, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var stopwatch = Stopwatch.StartNew();
        var installed = ReadInstalledPackages(packageLockPath, platform);
        var downloaded = 0;
        long bytes = 0;
        using var slots = new SemaphoreSlim(parallelDownloads);
        var tasks = installed.Select(async package =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var (path, fetched, size) = await EnsureAsync(package, cancellationToken).ConfigureAwait(false);
                if (fetched)
                {
                    Interlocked.Increment(ref downloaded);
                }

                Interlocked.Add(ref bytes, size);
                return new StoredTarball(package.Name, package.Version, path, package.Sha512Hex);
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        var tarballs = await Task.WhenAll(tasks).ConfigureAwait(false);

        logger.Information(
            "Tarballs of {Lock}: {Count} for {Os}-{Cpu}-{Libc}, {Downloaded} downloaded, {Megabytes:F1} MB, integrity verified, in {Seconds:F1} s",
            packageLockPath, tarballs.Length, platform.Os, platform.Cpu, platform.Libc, downloaded, bytes / 1048576.0, stopwatch.Elapsed.TotalSeconds);
        return tarballs.OrderBy(tarball => tarball.Package, StringComparer.Ordinal).ThenBy(tarball => tarball.Version, StringComparer.Ordinal).ToList();
    }

    private static List<LockedTarball> ReadInstalledPackages(string packageLockPath, NpmPlatform platform)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(packageLockPath));
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new PipelineException($"The npm lock file {packageLockPath} cannot be read: {exception.Message} Run './build.sh --target Bump' to write it again.", exception);
        }

        if (root?["packages"] is not JsonObject packages)
        {
            throw new PipelineException(
                $"The npm lock file {packageLockPath} has no 'packages' object (lockfileVersion 2 or later). Run './build.sh --target Bump' to write it again.");
        }

        var byIntegrity = new SortedDictionary<string, LockedTarball>(StringComparer.Ordinal);
        foreach (var (key, entry) in packages)
        {
            if (key.Length == 0 || entry is not JsonObject || IsTrue(entry, "link") || IsTrue(entry, "inBundle") || IsTrue(entry, "dev") || !platform.Accepts(entry))
            {
                continue;
            }

            var name = ReadString(entry, "name") ?? key[(key.LastIndexOf("node_modules/", StringComparison.Ordinal) + "node_modules/".Length)..];
            var version = ReadString(entry, "version")
                ?? throw new PipelineException($"The entry '{key}' of {packageLockPath} has no version. Run './build.sh --target Bump' to write the lock again.");
            var id = $"{name}@{version}";
            var resolved = ReadString(entry, "resolved");
            if (!Uri.TryCreate(resolved, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                throw new PipelineException(
                    $"The entry '{key}' ({id}) of {packageLockPath} has resolved '{resolved}', which is not an http(s) tarball URL. "
                    + "Only registry packages can be installed offline; replace the dependency with a published package.");
            }

            var integrity = ReadString(entry, "integrity")?
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(value => value.StartsWith(Sha512Prefix, StringComparison.Ordinal))
                ?? throw new PipelineException(
                    $"The entry '{key}' ({id}) of {packageLockPath} has integrity '{ReadString(entry, "integrity")}', with no sha512- value to check the tarball against. "
                    + "Run './build.sh --target Bump' to lock the tree again.");
            if (!IsSha512Digest(integrity))
            {
                throw new PipelineException(
                    $"The entry '{key}' ({id}) of {packageLockPath} has integrity '{integrity}', which is not the base64 of a 64-byte sha512 digest. "
                    + "Run './build.sh --target Bump' to lock the tree again.");
            }

            // The same package can sit at several places in a tree; its content is fetched and sent once.
            byIntegrity.TryAdd(integrity, new LockedTarball(name, version, url, integrity));
        }

        return byIntegrity.Values.ToList();
    }

    private async Task<(string Path, bool Downloaded, long Size)> EnsureAsync(LockedTarball package, CancellationToken cancellationToken)
    {
        var digest = Convert.FromBase64String(package.Integrity[Sha512Prefix.Length..]);
        var hex = package.Sha512Hex;
        var path = Path.Combine(directory, hex[..2], hex + ".tgz");
        if (File.Exists(path))
        {
            await using var stored = File.OpenRead(path);
            if ((await SHA512.HashDataAsync(stored, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(digest))
            {
                return (path, false, stored.Length);
            }

            logger.Warning("The stored tarball {Path} of {Package} does not match its integrity; downloading it again", path, package.Id);
        }

        var content = await client.GetTarballAsync(package.Url, package.Id, cancellationToken).ConfigureAwait(false);
        if (!SHA512.HashData(content).AsSpan().SequenceEqual(digest))
        {
            throw new PipelineException(
                $"The tarball of {package.Id} from {package.Url} failed the integrity check: expected {package.Integrity}, got "
                + $"{Sha512Prefix}{Convert.ToBase64String(SHA512.HashData(content))}. The registry served other content than was locked; "
                + "check the registry or run './build.sh --target Bump' to lock the tree again.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return (path, true, content.LongLength);
    }

    private static bool IsSha512Digest(string integrity)
    {
        Span<byte> digest = stackalloc byte[SHA512.HashSizeInBytes];
        return Convert.TryFromBase64String(integrity[Sha512Prefix.Length..], digest, out var length) && length == SHA512.HashSizeInBytes;
    }

    private static bool IsTrue(JsonNode entry, string property) =>
        entry[property] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    private static string? ReadString(JsonNode entry, string property) =>
        entry[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private sealed record LockedTarball(string Name, string Version, Uri Url, string Integrity)
    {
        public string Id => $"{Name}@{Version}";

        public string Sha512Hex => Convert.ToHexStringLower(Convert.FromBase64String(Integrity[Sha512Prefix.Length..]));
    }
}
