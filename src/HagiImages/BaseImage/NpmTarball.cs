using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using HagiImages.Pipeline;

namespace HagiImages.BaseImage;

/// <summary>
/// Extracts npm package tarballs (gzip-compressed tar whose entries start with <c>package/</c>) with the prefix
/// stripped. Entries that would land outside the destination are rejected.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class NpmTarball
{
    private const string Prefix = "package/";

    /// <summary>
    /// Extracts the entries accepted by <paramref name="map"/> below <paramref name="destination"/>.
    /// <paramref name="map"/> gets the path without the prefix and returns the relative target path, or null to skip.
    /// </summary>
    /// <returns>The relative target paths of the extracted regular files.</returns>
    /// <exception cref="PipelineException">The archive is not a valid npm tarball.</exception>
    public static async Task<IReadOnlyList<string>> ExtractAsync(
        string packageName, byte[] tarball, string destination, Func<string, string?> map, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(destination);
        var extracted = new List<string>();
        try
        {
            await using var gzip = new GZipStream(new MemoryStream(tarball), CompressionMode.Decompress);
            await using var reader = new TarReader(gzip);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                var relative = StripPrefix(packageName, entry.Name);
                var target = relative is null ? null : map(relative);
                if (target is null)
                {
                    continue;
                }

                var path = Path.GetFullPath(Path.Combine(root, target));
                if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new PipelineException($"The tarball of {packageName} contains the entry '{entry.Name}', which points outside the package.");
                }

                await ExtractEntryAsync(packageName, entry, path, cancellationToken).ConfigureAwait(false);
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                {
                    extracted.Add(target.Replace('\\', '/'));
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new PipelineException($"The tarball of {packageName} is not a valid gzip-compressed tar archive: {exception.Message}", exception);
        }

        return extracted;
    }

    private static string? StripPrefix(string packageName, string name)
    {
        var normalized = name.Replace('\\', '/').TrimStart('.', '/');
        if (normalized.EndsWith('/') || normalized.Length == 0)
        {
            return null;
        }

        if (!normalized.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new PipelineException($"The tarball of {packageName} contains the entry '{name}' outside the '{Prefix}' folder; it is not an npm package tarball.");
        }

        return normalized[Prefix.Length..];
    }

    private static async Task ExtractEntryAsync(string packageName, TarEntry entry, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    if (entry.DataStream is not null)
                    {
                        await entry.DataStream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    }
                }

                // npm tarballs record modes such as 0644 or 0755; only the permission bits are kept.
                File.SetUnixFileMode(path, entry.Mode & (UnixFileMode)0x1ED | UnixFileMode.UserRead);
                break;
            case TarEntryType.Directory:
                Directory.CreateDirectory(path);
                break;
            case TarEntryType.SymbolicLink:
                if (Path.IsPathRooted(entry.LinkName))
                {
                    throw new PipelineException($"The tarball of {packageName} contains the symbolic link '{entry.Name}' to the absolute path '{entry.LinkName}'.");
                }

                File.CreateSymbolicLink(path, entry.LinkName);
                break;
            default:
                throw new PipelineException($"The tarball of {packageName} contains the entry '{entry.Name}' of unsupported type {entry.EntryType}.");
        }
    }
}
