using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.SmokeTest;

/// <summary>
/// The containers and volumes of one smoke-test run. Everything it creates carries the run's label, and
/// <see cref="DisposeAsync"/> removes all of it, also after a failure or a cancellation.
/// </summary>
public sealed class SmokeSession : IAsyncDisposable
{
    public const string RunLabel = "io.hagicode.smoke-run";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private readonly DockerClient client;
    private readonly ILogger logger;
    private readonly List<string> containers = [];
    private readonly List<string> volumes = [];

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
        volumes.Add(name);
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
        containers.Add(created.ID);
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
        containers.Add(created.ID);
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

        containers.Remove(containerId);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in containers.ToList())
        {
            await RemoveContainerAsync(container).ConfigureAwait(false);
        }

        foreach (var volume in volumes)
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
