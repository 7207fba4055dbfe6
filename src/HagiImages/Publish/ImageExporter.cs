using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Publish;

/// <summary>
/// Saves a local image with all tags of a <see cref="TagPlan"/> to <c>&lt;image name&gt;-&lt;version&gt;.tar</c>
/// (the format of <c>docker save</c>) and writes <c>&lt;archive&gt;.sha256</c> in <c>sha256sum</c> format beside it.
/// </summary>
public sealed class ImageExporter
{
    private readonly IDockerClient client;
    private readonly ILogger logger;

    public ImageExporter(IDockerClient client, ILogger logger)
    {
        this.client = client;
        this.logger = logger;
    }

    /// <summary>
    /// Tags <paramref name="imageId"/> with each target of <paramref name="plan"/> and saves it into
    /// <paramref name="outputDirectory"/>. Both files are written to temporary names and then renamed, so an
    /// interrupted export leaves no partial file under the final names. An older checksum file is deleted first.
    /// </summary>
    /// <exception cref="PipelineException">The engine fails to tag or save the image, or the archive lacks a tag.</exception>
    public async Task<ExportedArchive> ExportAsync(string imageId, TagPlan plan, string outputDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        if (plan.IsPush)
        {
            throw new ArgumentException("The plan names registries, so the image must be pushed instead.", nameof(plan));
        }

        foreach (var target in plan.Targets)
        {
            await LocalTags.ApplyAsync(client, imageId, target, cancellationToken).ConfigureAwait(false);
        }

        var directory = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(directory);
        var archivePath = Path.Combine(directory, $"{plan.ImageName}-{plan.Version}.tar");
        var checksumPath = $"{archivePath}.sha256";
        var temporaryArchive = Path.Combine(directory, $".{Path.GetFileName(archivePath)}.{Guid.NewGuid():N}.tmp");
        var temporaryChecksum = $"{temporaryArchive}.sha256";
        var references = plan.Targets.Select(target => target.Reference).ToArray();
        try
        {
            File.Delete(checksumPath);

            var (sha256, size) = await SaveAsync(references, temporaryArchive, cancellationToken).ConfigureAwait(false);
            await CheckArchiveTagsAsync(temporaryArchive, references, cancellationToken).ConfigureAwait(false);
            File.Move(temporaryArchive, archivePath, overwrite: true);

            var checksumLine = $"{sha256}  {Path.GetFileName(archivePath)}\n";
            await File.WriteAllTextAsync(temporaryChecksum, checksumLine, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken).ConfigureAwait(false);
            File.Move(temporaryChecksum, checksumPath, overwrite: true);

            logger.Information("Saved image {ImageId} as {Tags} to {Archive} ({SizeMiB:F1} MiB, sha256 {Sha256})",
                imageId[..Math.Min(imageId.Length, 19)], references, archivePath, size / 1048576.0, sha256);
            return new ExportedArchive(archivePath, checksumPath, sha256, size, references);
        }
        finally
        {
            File.Delete(temporaryArchive);
            File.Delete(temporaryChecksum);
        }
    }

    private async Task<(string Sha256, long Size)> SaveAsync(string[] references, string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        try
        {
            await using var archive = await client.Images.SaveImagesAsync(references, cancellationToken).ConfigureAwait(false);
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await archive.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                size += read;
            }

            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
        catch (DockerApiException exception)
        {
            throw new PipelineException($"The Docker engine could not save {string.Join(", ", references)}: {exception.ResponseBody?.Trim()}", exception);
        }

        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    /// <summary>Checks that the archive's <c>manifest.json</c> lists every reference, so <c>docker load</c> restores all tags.</summary>
    private static async Task CheckArchiveTagsAsync(string path, string[] references, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.Name != "manifest.json" || entry.DataStream is null)
            {
                continue;
            }

            using var manifest = await JsonDocument.ParseAsync(entry.DataStream, cancellationToken: cancellationToken).ConfigureAwait(false);
            var tags = manifest.RootElement.EnumerateArray()
                .SelectMany(image => image.TryGetProperty("RepoTags", out var repoTags) && repoTags.ValueKind == JsonValueKind.Array ? repoTags.EnumerateArray() : Enumerable.Empty<JsonElement>())
                .Select(tag => tag.GetString())
                .ToHashSet();
            var missing = references.Where(reference => !tags.Contains(reference)).ToList();
            if (missing.Count > 0)
            {
                throw new PipelineException($"The archive the Docker engine saved lacks the tags {string.Join(", ", missing)} in its manifest.json.");
            }

            return;
        }

        throw new PipelineException("The archive the Docker engine saved has no manifest.json, so 'docker load' could not restore its tags.");
    }
}
