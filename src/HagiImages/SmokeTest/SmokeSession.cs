using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Docker;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.SmokeTest;

/// <summary>
/// The containers and volumes of one smoke-test run. Everything it creates carries the run's label, and
/// <see cref="DisposeAsync"/> removes all of it, also after a failure or a cancellation. Checks may call it from
/// several threads at once.
/// </summary>
public sealed class SmokeSession : IAsyncDisposable
{
    public const string RunLabel = "io.hagicode.smoke-run";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly DockerClient client;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly List<string> containers = [];
    private readonly List<string> volumes = [];
    private ImageInspectResponse? inspection;

    public SmokeSession(DockerClient client, string image, ILogger logger)
    {
        this.client = client;
        this.logger = logger;
        Image = image;
        RunId = Guid.NewGuid().ToString("N")[..10];
    }

    /// <summary>The image under test.</summary>
    public string Image { get; }

    /// <summary>Short random id that names and labels this run's containers and volumes.</summary>
    public string RunId { get; }

    /// <summary>Creates a named volume that belongs to this run.</summary>
    public async Task<string> CreateVolumeAsync(string baseName, CancellationToken cancellationToken = default)
    {
        var name = $"hagi-smoke-{RunId}-{baseName}";
        await client.Volumes.CreateAsync(
            new VolumesCreateParameters { Name = name, Labels = new Dictionary<string, string> { [RunLabel] = RunId } },
            cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            volumes.Add(name);
        }

        return name;
    }

    /// <summary>
    /// Creates and starts a container of the image that keeps running, with the given volume mounts and
    /// environment. The command, passed to the image's entrypoint, defaults to an idle shell that exits on SIGTERM.
    /// </summary>
    public async Task<string> StartAsync(
        string name,
        IReadOnlyDictionary<string, string> volumeMounts,
        IReadOnlyList<string>? environment = null,
        string? user = null,
        IReadOnlyList<string>? command = null,
        CancellationToken cancellationToken = default)
    {
        var created = await client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Name = $"hagi-smoke-{RunId}-{name}",
                Image = Image,
                // As PID 1 a plain sleep ignores SIGTERM, so a restart would wait out the engine's grace period.
                Cmd = command?.ToList() ?? ["sh", "-c", "trap 'exit 0' TERM INT; sleep infinity & wait"],
                Env = environment?.ToList() ?? [],
                User = user ?? "",
                Labels = new Dictionary<string, string> { [RunLabel] = RunId },
                HostConfig = new HostConfig
                {
                    Binds = volumeMounts.Select(mount => $"{mount.Key}:{mount.Value}").ToList(),
                    NetworkMode = "none",
                },
            },
            cancellationToken).ConfigureAwait(false);
        Track(created.ID);
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
        await WaitUntilRunningAsync(created.ID, cancellationToken).ConfigureAwait(false);
        logger.Debug("Smoke container {Container} started from {Image}", created.ID[..12], Image);
        return created.ID;
    }

    /// <summary>Runs a command in a running container and captures its output.</summary>
    public async Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, string? user = null, CancellationToken cancellationToken = default)
    {
        var exec = await client.Exec.CreateContainerExecAsync(
            containerId,
            new ContainerExecCreateParameters { Cmd = command.ToList(), AttachStdout = true, AttachStderr = true, User = user ?? "" },
            cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        using var stream = await client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), timeout.Token).ConfigureAwait(false);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(timeout.Token).ConfigureAwait(false);
        var inspect = await client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken).ConfigureAwait(false);
        return new ExecResult(inspect.ExitCode ?? -1, stdout, stderr);
    }

    /// <summary>
    /// Runs a command in a fresh container through the image's entrypoint, waits for it to exit and returns its
    /// output; the container is removed afterwards. <paramref name="volumeMounts"/> maps volume names to paths.
    /// </summary>
    public async Task<ExecResult> RunAsync(
        IReadOnlyList<string> command,
        IReadOnlyList<string>? environment = null,
        string? user = null,
        IReadOnlyDictionary<string, string>? volumeMounts = null,
        CancellationToken cancellationToken = default)
    {
        var created = await client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = Image,
                Cmd = command.ToList(),
                Env = environment?.ToList() ?? [],
                User = user ?? "",
                Labels = new Dictionary<string, string> { [RunLabel] = RunId },
                HostConfig = new HostConfig
                {
                    Binds = volumeMounts?.Select(mount => $"{mount.Key}:{mount.Value}").ToList() ?? [],
                    NetworkMode = "none",
                },
            },
            cancellationToken).ConfigureAwait(false);
        Track(created.ID);
        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            ContainerWaitResponse exit;
            try
            {
                exit = await client.Containers.WaitContainerAsync(created.ID, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new PipelineException($"'{string.Join(' ', command)}' in image {Image} did not exit within {CommandTimeout.TotalSeconds:F0} s.");
            }

            using var logs = await client.Containers.GetContainerLogsAsync(
                created.ID, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true }, cancellationToken).ConfigureAwait(false);
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
            return new ExecResult(exit.StatusCode, stdout, stderr);
        }
        finally
        {
            await RemoveContainerAsync(created.ID).ConfigureAwait(false);
        }
    }

    /// <summary>Restarts a container and waits until it runs again.</summary>
    public async Task RestartAsync(string containerId, CancellationToken cancellationToken = default)
    {
        await client.Containers.RestartContainerAsync(containerId, new ContainerRestartParameters { WaitBeforeKillSeconds = 10 }, cancellationToken).ConfigureAwait(false);
        await WaitUntilRunningAsync(containerId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the last lines a container printed, for failure reports.</summary>
    public async Task<string> TailLogsAsync(string containerId, int lines, CancellationToken cancellationToken = default)
    {
        using var logs = await client.Containers.GetContainerLogsAsync(
            containerId, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken).ConfigureAwait(false);
        var (stdout, stderr) = await logs.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
        return (stdout + stderr).TrimEnd();
    }

    /// <summary>Stops and removes a container with its anonymous volumes; named volumes stay.</summary>
    public async Task RemoveContainerAsync(string containerId)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone.
        }

        lock (gate)
        {
            containers.Remove(containerId);
        }
    }

    /// <summary>Returns the engine's view of the image under test; the first answer is kept for the rest of the run.</summary>
    public async Task<ImageInspectResponse> InspectImageAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (inspection is not null)
            {
                return inspection;
            }
        }

        var response = await client.Images.InspectImageAsync(Image, cancellationToken).ConfigureAwait(false);
        lock (gate)
        {
            inspection ??= response;
            return inspection;
        }
    }

    /// <summary>
    /// Returns the content of the regular file at <paramref name="path"/> in the image. The file is copied out of a
    /// container that is created but never started, so neither the entrypoint nor the image user are involved.
    /// </summary>
    /// <exception cref="PipelineException">The path does not exist or is not a regular file.</exception>
    public async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var created = await client.Containers.CreateContainerAsync(
            new CreateContainerParameters
            {
                Image = Image,
                Entrypoint = ["/bin/true"],
                Labels = new Dictionary<string, string> { [RunLabel] = RunId },
                HostConfig = new HostConfig { NetworkMode = "none" },
            },
            cancellationToken).ConfigureAwait(false);
        Track(created.ID);
        try
        {
            return await new ContainerFiles(client, logger).GetFileAsync(created.ID, path, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await RemoveContainerAsync(created.ID).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Saves the image as <c>docker save</c> writes it (a tar of the layer tars, the config JSON and manifest.json)
    /// to a temporary file and returns it opened for reading; disposing the stream deletes the file.
    /// </summary>
    /// <remarks>
    /// The engine's response is copied in large reads before it is parsed, because reading it in the small, uneven
    /// pieces of a tar reader made Docker.DotNet 4.4.1's chunked response stream fail with "The connection closed
    /// in the middle of a chunk".
    /// </remarks>
    public async Task<Stream> SaveImageAsync(CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hagi-smoke-{RunId}-{Guid.NewGuid():N}.tar");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await using (var response = await client.Images.SaveImageAsync(Image, cancellationToken).ConfigureAwait(false))
            {
                await response.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
            }

            file.Position = 0;
            logger.Debug("Saved image {Image} ({Bytes} bytes) for inspection", Image, file.Length);
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Removes every container and volume of the run: those it tracked, and any other that carries the run's label,
    /// such as a container whose creation a cancellation interrupted before its id was recorded.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var container in await LabelledContainersAsync().ConfigureAwait(false))
        {
            await RemoveContainerAsync(container).ConfigureAwait(false);
        }

        foreach (var volume in await LabelledVolumesAsync().ConfigureAwait(false))
        {
            try
            {
                await client.Volumes.RemoveAsync(volume, force: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DockerApiException exception)
            {
                logger.Warning("Could not remove smoke-test volume {Volume}: {Error}", volume, exception.Message);
            }
        }

        logger.Debug("Removed smoke-test containers and {VolumeCount} volumes of run {RunId}", volumes.Count, RunId);
    }

    private void Track(string containerId)
    {
        lock (gate)
        {
            containers.Add(containerId);
        }
    }

    private Dictionary<string, IDictionary<string, bool>> RunFilter() =>
        new() { ["label"] = new Dictionary<string, bool> { [$"{RunLabel}={RunId}"] = true } };

    private async Task<List<string>> LabelledContainersAsync()
    {
        List<string> known;
        lock (gate)
        {
            known = [.. containers];
        }

        try
        {
            var listed = await client.Containers.ListContainersAsync(
                new ContainersListParameters { All = true, Filters = RunFilter() }, CancellationToken.None).ConfigureAwait(false);
            return known.Union(listed.Select(container => container.ID)).ToList();
        }
        catch (DockerApiException exception)
        {
            logger.Warning("Could not list the containers of smoke-test run {RunId}: {Error}", RunId, exception.Message);
            return known;
        }
    }

    private async Task<List<string>> LabelledVolumesAsync()
    {
        List<string> known;
        lock (gate)
        {
            known = [.. volumes];
        }

        try
        {
            var listed = await client.Volumes.ListAsync(new VolumesListParameters { Filters = RunFilter() }, CancellationToken.None).ConfigureAwait(false);
            return known.Union((listed.Volumes ?? []).Select(volume => volume.Name)).ToList();
        }
        catch (DockerApiException exception)
        {
            logger.Warning("Could not list the volumes of smoke-test run {RunId}: {Error}", RunId, exception.Message);
            return known;
        }
    }

    private async Task WaitUntilRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var state = (await client.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false)).State;
            if (state is null)
            {
                throw new PipelineException($"The engine reported no state for container {containerId[..12]} of image {Image}.");
            }

            if (state.Running)
            {
                return;
            }

            if (state.Status is "exited" or "dead")
            {
                var logs = await TailLogsAsync(containerId, 20, cancellationToken).ConfigureAwait(false);
                throw new PipelineException($"Container {containerId[..12]} of image {Image} exited with code {state.ExitCode} at start. Last lines:{Environment.NewLine}{logs}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new PipelineException($"Container {containerId[..12]} of image {Image} did not reach the running state within 5 s.");
    }
}
