using System.Text;
using System.Text.RegularExpressions;

namespace HagiImages.SmokeTest;

/// <summary>
/// Finds build files and secret values in an image: by file path in layer tars, and by content in layer files and
/// in metadata such as the image config (history, labels, environment).
/// </summary>
internal sealed partial class SecretScanner
{
    private const int ChunkSize = 1024 * 1024;

    /// <summary>Strings that only build files contain, searched in metadata text such as the config's history.</summary>
    // Build stages keep build-only material in /opt/hagi-build; images rendered before it used /opt/hagi/build.
    private static readonly string[] BuildFolders = ["opt/hagi-build", "opt/hagi/build"];

    private static readonly string[] BuildFileMarkers = ["ca-bundle.crt", "/opt/hagi-build", "/opt/hagi/build", "build-only/npmrc"];

    private readonly byte[][] needles;
    private readonly int longestNeedle;

    public SecretScanner(BuildSecrets secrets)
    {
        needles = secrets.Values.Select(Encoding.UTF8.GetBytes).ToArray();
        longestNeedle = needles.Select(needle => needle.Length).DefaultIfEmpty(0).Max();
    }

    /// <summary>Returns why a layer entry's path marks it as a build file, or null for an ordinary path.</summary>
    public static string? DescribeBuildFile(string entryName)
    {
        var path = entryName.TrimStart('.').TrimStart('/');
        if (Path.GetFileName(path).StartsWith(".wh.", StringComparison.Ordinal))
        {
            // A whiteout records a deletion; the deleted file is reported in the layer that added it.
            return null;
        }

        foreach (var folder in BuildFolders)
        {
            if (path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal))
            {
                return $"a path under /{folder}, where build stages keep the CA bundle and npmrc";
            }
        }

        if (Path.GetFileName(path.TrimEnd('/')) == "ca-bundle.crt")
        {
            return "the build's CA bundle file name";
        }

        // npm packages ship their own .npmrc files inside node_modules; those are not the build's.
        if (NpmrcName().IsMatch(path) && !path.Contains("node_modules/", StringComparison.Ordinal))
        {
            return "an npm configuration file, which may carry registry tokens";
        }

        return null;
    }

    /// <summary>Returns the build file markers found in <paramref name="text"/>.</summary>
    public static IEnumerable<string> FindBuildFileMarkers(string text) =>
        BuildFileMarkers.Where(marker => text.Contains(marker, StringComparison.Ordinal));

    /// <summary>Returns the index of the first secret value found in <paramref name="content"/>, or null.</summary>
    public async Task<int?> FindSecretAsync(Stream content, CancellationToken cancellationToken)
    {
        if (needles.Length == 0)
        {
            return null;
        }

        // Each read keeps the last bytes of the previous one in front, so a value split between reads is found.
        var carry = longestNeedle - 1;
        var buffer = new byte[carry + ChunkSize];
        var kept = 0;
        while (true)
        {
            var read = await content.ReadAsync(buffer.AsMemory(kept, ChunkSize), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            var window = buffer.AsSpan(0, kept + read);
            if (Find(window) is { } found)
            {
                return found;
            }

            kept = Math.Min(carry, window.Length);
            window[^kept..].CopyTo(buffer);
        }
    }

    /// <summary>Returns the index of the first secret value found in <paramref name="content"/>, or null.</summary>
    public int? FindSecret(ReadOnlySpan<byte> content) => Find(content);

    private int? Find(ReadOnlySpan<byte> window)
    {
        for (var index = 0; index < needles.Length; index++)
        {
            if (window.IndexOf(needles[index]) >= 0)
            {
                return index;
            }
        }

        return null;
    }

    [GeneratedRegex(@"(^|/)\.?npmrc$")]
    private static partial Regex NpmrcName();
}
