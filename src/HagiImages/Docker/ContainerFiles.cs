using System.Formats.Tar;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Docker;

/// <summary>Copies single files and tar archives into and out of containers.</summary>
public sealed class ContainerFiles
{
    private readonly IDockerClient client;
    private readonly ILogger logger;

    public ContainerFiles(IDockerClient client, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.logger = logger;
    }

    /// <summary>
    /// Writes <paramref name="content"/> to the absolute path <paramref name="path"/> in the container, owned by
    /// <paramref name="uid"/>:<paramref name="gid"/> with <paramref name="mode"/>. The parent directory must exist.
    /// </summary>
    public async Task PutFileAsync(
        string containerId,
        string path,
        ReadOnlyMemory<byte> content,
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        int uid = 0,
        int gid = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        RequireAbsolute(path);

        var (directory, fileName) = Split(path);
        using var archive = new MemoryStream();
        await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, fileName)
            {
                Mode = mode,
                Uid = uid,
                Gid = gid,
                ModificationTime = DateTimeOffset.UnixEpoch,
                DataStream = new MemoryStream(content.ToArray()),
            };
            await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        archive.Position = 0;
        await PutArchiveAsync(containerId, directory, archive, cancellationToken).ConfigureAwait(false);
        logger.Debug("Wrote {Bytes} bytes to {Path} in container {ContainerId}", content.Length, path, DockerIds.Short(containerId));
    }

    /// <summary>
    /// Extracts the tar archive <paramref name="archive"/> into the existing directory <paramref name="directory"/>
    /// of the container, keeping the owners recorded in the archive.
    /// </summary>
    /// <exception cref="PipelineException">The directory does not exist in the container.</exception>
    public async Task PutArchiveAsync(string containerId, string directory, Stream archive, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        RequireAbsolute(directory);
        ArgumentNullException.ThrowIfNull(archive);
        try
        {
            await client.Containers.ExtractArchiveToContainerAsync(
                containerId,
                new CopyToContainerParameters { Path = directory, AllowOverwriteDirWithFile = false, CopyUIDGID = true },
                archive,
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw new PipelineException(
                $"Copying into {directory} of container {DockerIds.Short(containerId)} failed: {exception.ResponseBody?.Trim()}",
                exception);
        }
    }

    /// <summary>Returns the content of the regular file at <paramref name="path"/> in the container.</summary>
    /// <exception cref="PipelineException">The path does not exist or is not a regular file.</exception>
    public async Task<byte[]> GetFileAsync(string containerId, string path, CancellationToken cancellationToken = default)
    {
        using var archive = await GetArchiveAsync(containerId, path, cancellationToken).ConfigureAwait(false);
        await using var reader = new TarReader(archive);
        var entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        if (entry is not { EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile })
        {
            throw new PipelineException(
                $"The path {path} in container {DockerIds.Short(containerId)} is not a regular file (tar entry type {entry?.EntryType}).");
        }

        using var content = new MemoryStream();
        if (entry.DataStream is not null)
        {
            await entry.DataStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
        }

        return content.ToArray();
    }

    /// <summary>
    /// Returns a tar archive of the file or directory at <paramref name="path"/>, buffered in memory; its entries
    /// are named from the last path segment on, as <c>docker cp</c> does.
    /// </summary>
    /// <exception cref="PipelineException">The path does not exist in the container.</exception>
    public async Task<MemoryStream> GetArchiveAsync(string containerId, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        RequireAbsolute(path);
        ContainerArchiveResponse response;
        try
        {
            response = await client.Containers.GetArchiveFromContainerAsync(
                containerId,
                new ContainerPathStatParameters { Path = path },
                statOnly: false,
                cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw new PipelineException(
                $"The path {path} does not exist in container {DockerIds.Short(containerId)}.",
                exception);
        }

        var buffer = new MemoryStream();
        await using (var stream = response.Stream ?? Stream.Null)
        {
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        buffer.Position = 0;
        return buffer;
    }

    private static void RequireAbsolute(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"The container path '{path}' is not absolute.", nameof(path));
        }
    }

    private static (string Directory, string FileName) Split(string path)
    {
        var index = path.TrimEnd('/').LastIndexOf('/');
        var directory = index == 0 ? "/" : path[..index];
        var fileName = path[(index + 1)..];
        if (fileName.Length == 0)
        {
            throw new ArgumentException($"The container path '{path}' names a directory, not a file.", nameof(path));
        }

        return (directory, fileName);
    }
}
