using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HagiImages.Manifest;
using HagiImages.Pipeline;

namespace HagiImages.Resolve;

/// <summary>
/// Reads and writes <c>image.lock.json</c>. A write goes to a temporary file in the same folder that is then
/// renamed over the old one, so a failure never leaves a half-written lock file.
/// </summary>
public static partial class ImageLockStore
{
    public const string FileName = "image.lock.json";

    /// <summary>Returns the lock file path of an image.</summary>
    public static string PathFor(ImageManifest manifest) => Path.Combine(manifest.Directory, FileName);

    /// <summary>
    /// Reads the lock file of <paramref name="manifest"/> and checks that it pins every CLI of the manifest.
    /// </summary>
    /// <exception cref="PipelineException">The file is missing, corrupt, or out of step with the manifest.</exception>
    public static ImageLock Read(ImageManifest manifest)
    {
        var path = PathFor(manifest);
        var imageLock = TryRead(path) ?? throw new PipelineException(
            $"Lock file '{path}' is missing. Run './build.sh --target Bump' to resolve and pin the versions of image '{manifest.Name}'.");

        var missing = manifest.Clis.Where(cli => !imageLock.Clis.ContainsKey(cli.Id)).Select(cli => cli.Id).ToList();
        if (missing.Count > 0)
        {
            throw new PipelineException(
                $"Lock file '{path}' has no pin for CLI '{string.Join("', '", missing)}' of image '{manifest.Name}'. Run './build.sh --target Bump' to pin it.");
        }

        var changed = manifest.Clis.Where(cli => imageLock.Clis[cli.Id].Package != cli.Package).Select(cli => cli.Id).ToList();
        if (changed.Count > 0)
        {
            throw new PipelineException(
                $"Lock file '{path}' pins another package for CLI '{string.Join("', '", changed)}' than the manifest names. Run './build.sh --target Bump' to pin the new package.");
        }

        return imageLock;
    }

    /// <summary>
    /// Reads a lock file, or returns null when it does not exist.
    /// </summary>
    /// <exception cref="PipelineException">The file exists but is not a valid lock file.</exception>
    public static ImageLock? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        ImageLock? imageLock;
        try
        {
            imageLock = JsonSerializer.Deserialize<ImageLock>(File.ReadAllText(path), ManifestJson.Options);
        }
        catch (JsonException exception)
        {
            throw new PipelineException(
                $"Lock file '{path}' is corrupt at {exception.Path ?? "$"} (line {exception.LineNumber + 1}): {exception.Message.Split(" Path:")[0]} "
                + "Restore it from version control, or delete it and run './build.sh --target Bump' to write it anew.",
                exception);
        }

        if (imageLock is null)
        {
            throw new PipelineException($"Lock file '{path}' is empty. Delete it and run './build.sh --target Bump'.");
        }

        if (imageLock.LockfileVersion != ImageLock.CurrentVersion)
        {
            throw new PipelineException(
                $"Lock file '{path}' has lockfileVersion {imageLock.LockfileVersion}, but this build reads version {ImageLock.CurrentVersion}. Run './build.sh --target Bump' to write it anew.");
        }

        var pins = new List<(string Where, PinnedPackage Pin)> { ("node", imageLock.Node), ("npm", imageLock.Npm) };
        pins.AddRange(imageLock.Clis.Select(entry => ($"clis.{entry.Key}", entry.Value)));
        foreach (var (where, pin) in pins)
        {
            CheckPin(path, where, pin);
        }

        return imageLock;
    }

    /// <summary>
    /// Writes the lock file atomically: temporary file, flush, then rename over the old file.
    /// </summary>
    public static async Task WriteAsync(string path, ImageLock imageLock, CancellationToken cancellationToken = default)
    {
        var json = Serialize(imageLock);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporaryPath = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(json), cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporaryPath, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporaryPath);
        }
    }

    /// <summary>Returns the exact text written for a lock, ending with a newline.</summary>
    public static string Serialize(ImageLock imageLock) =>
        JsonSerializer.Serialize(imageLock, ManifestJson.Options).ReplaceLineEndings("\n") + "\n";

    private static void CheckPin(string path, string where, PinnedPackage pin)
    {
        if (!ExactVersion().IsMatch(pin.Version))
        {
            throw new PipelineException(
                $"Lock file '{path}' pins {where} to '{pin.Version}', which is not an exact version. Run './build.sh --target Bump' to write it anew.");
        }

        if (!Sha512Integrity().IsMatch(pin.Integrity))
        {
            throw new PipelineException(
                $"Lock file '{path}' has an invalid integrity '{pin.Integrity}' for {where}; a sha512 integrity ('sha512-' and 88 base64 characters) is expected. Run './build.sh --target Bump'.");
        }

        if (!Uri.TryCreate(pin.Tarball, UriKind.Absolute, out var tarball) || (tarball.Scheme != Uri.UriSchemeHttps && tarball.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(tarball.UserInfo))
        {
            throw new PipelineException(
                $"Lock file '{path}' has an invalid tarball URL for {where}; an http(s) URL without credentials is expected. Run './build.sh --target Bump'.");
        }
    }

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")]
    private static partial Regex ExactVersion();

    [GeneratedRegex(@"^sha512-[A-Za-z0-9+/]{86}==$")]
    private static partial Regex Sha512Integrity();
}
