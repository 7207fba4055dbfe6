using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.Versioning;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BuildImages;
using HagiImages.Docker;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BaseImage;

/// <summary>
/// Imports a root file system folder into the engine as a single-layer image, as <c>docker import</c> does.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RootfsImporter
{
    private readonly IDockerClient client;
    private readonly ILogger logger;

    public RootfsImporter(IDockerClient client, ILogger logger)
    {
        this.client = client;
        this.logger = logger;
    }

    /// <summary>
    /// Writes <paramref name="rootfs"/> as a tar stream (owners, modes, links and device nodes as on disk) and imports
    /// it as <paramref name="repository"/>:<paramref name="tag"/> with the given labels and a <c>bash</c> command.
    /// </summary>
    /// <returns>The id of the imported image.</returns>
    /// <exception cref="PipelineException">The engine rejected the import, or the image lacks the tag or a label afterwards.</exception>
    public async Task<string> ImportAsync(
        string rootfs, string repository, string tag, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken = default)
    {
        var reference = $"{repository}:{tag}";
        var stopwatch = Stopwatch.StartNew();
        var archivePath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(rootfs)!, $"{System.IO.Path.GetFileName(rootfs)}.tar");
        try
        {
            await WriteArchiveAsync(rootfs, archivePath, cancellationToken).ConfigureAwait(false);

            var changes = new List<string>
            {
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "ENV LANG=C.UTF-8",
                "CMD [\"bash\"]",
            };
            changes.AddRange(labels.Select(label => $"LABEL {label.Key}=\"{EscapeLabelValue(label.Value)}\""));

            var progress = new EngineMessageProgress(logger, reference);
            var archive = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            await using (archive.ConfigureAwait(false))
            {
                await client.Images.CreateImageAsync(
                    new ImagesCreateParameters { Repo = repository, Tag = tag, Changes = changes, Message = "Debian root file system from debootstrap" },
                    archive,
                    null,
                    progress,
                    cancellationToken).ConfigureAwait(false);
            }

            if (progress.Error is not null)
            {
                throw new PipelineException($"Importing the root file system {rootfs} as {reference} failed: {progress.Error}");
            }
        }
        catch (DockerApiException exception)
        {
            throw new PipelineException(
                $"The engine rejected the import of {rootfs} as {reference} ({(int)exception.StatusCode}): {exception.ResponseBody?.Trim()}",
                exception);
        }
        finally
        {
            File.Delete(archivePath);
        }

        var imageId = await CheckImportAsync(reference, labels, cancellationToken).ConfigureAwait(false);
        logger.Information("Imported root file system as {Image} ({ImageId}) in {Seconds:F1} s", reference, DockerIds.Short(imageId), stopwatch.Elapsed.TotalSeconds);
        return imageId;
    }

    private async Task<string> CheckImportAsync(string reference, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        ImageInspectResponse inspected;
        try
        {
            inspected = await client.Images.InspectImageAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException exception)
        {
            throw new PipelineException($"The import of {reference} reported success, but the engine has no image of that name.", exception);
        }

        var actual = inspected.Config?.Labels ?? new Dictionary<string, string>();
        foreach (var (key, value) in labels)
        {
            if (!actual.TryGetValue(key, out var found) || found != value)
            {
                throw new PipelineException($"The imported image {reference} lacks the label {key}={value}.");
            }
        }

        return inspected.ID;
    }

    /// <summary>
    /// Writes every entry below <paramref name="rootfs"/> in ordinal path order. <see cref="TarWriter"/> reads the
    /// owner, mode, link target and device numbers of each entry from the file system.
    /// </summary>
    private static async Task WriteArchiveAsync(string rootfs, string archivePath, CancellationToken cancellationToken)
    {
        var entries = FileTree.List(rootfs).Select(entry => (Path: entry.Info.FullName, Name: entry.RelativePath)).ToList();

        var file = new FileStream(archivePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            await using var writer = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: false);
            foreach (var (path, name) in entries)
            {
                await writer.WriteEntryAsync(path, name, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string EscapeLabelValue(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
