using System.Formats.Tar;
using System.IO.Compression;

namespace HagiImages.SmokeTest;

/// <summary>
/// Walks the tar that <c>docker save</c> writes. Its layout differs between engine versions (<c>ID/layer.tar</c>
/// plus <c>CONFIG.json</c> up to Docker 24, an OCI layout with <c>blobs/sha256/DIGEST</c> since Docker 25), so
/// entries are told apart by their content: a tar or a gzip-compressed tar is a layer, anything else is metadata
/// such as the image config with its history and labels.
/// </summary>
internal static class ImageArchive
{
    /// <summary>Metadata entries larger than this are skipped, because configs and manifests are a few KiB.</summary>
    private const int MaxMetadataBytes = 16 * 1024 * 1024;

    private const int TarHeaderSize = 512;

    /// <summary>
    /// Calls <paramref name="onLayer"/> with each layer's uncompressed tar stream and, when the archive stores the
    /// layer gzip-compressed, its stored size; and <paramref name="onMetadata"/> with the bytes of each other entry.
    /// The streams are valid only during the call.
    /// </summary>
    public static async Task WalkAsync(
        Stream archive,
        Func<string, Stream, long?, Task> onLayer,
        Func<string, byte[], Task> onMetadata,
        CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(archive, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }

            var head = new byte[TarHeaderSize];
            var headLength = await entry.DataStream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var content = new ReplayStream(head.AsMemory(0, headLength), entry.DataStream);

            if (headLength >= 2 && head[0] == 0x1f && head[1] == 0x8b)
            {
                await using var gzip = new GZipStream(content, CompressionMode.Decompress);
                await onLayer(entry.Name, gzip, entry.Length).ConfigureAwait(false);
            }
            else if (IsTar(head.AsSpan(0, headLength)))
            {
                await onLayer(entry.Name, content, null).ConfigureAwait(false);
            }
            else if (entry.Length <= MaxMetadataBytes)
            {
                using var buffer = new MemoryStream();
                await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                await onMetadata(entry.Name, buffer.ToArray()).ConfigureAwait(false);
            }
        }
    }

    // A POSIX or GNU tar header carries "ustar" at offset 257. An empty layer is 1024 zero bytes.
    private static bool IsTar(ReadOnlySpan<byte> head) =>
        head.Length == TarHeaderSize
        && (head.Slice(257, 5).SequenceEqual("ustar"u8) || !head.ContainsAnyExcept((byte)0));
}
