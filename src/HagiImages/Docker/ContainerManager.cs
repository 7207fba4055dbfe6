using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Docker;

/// <summary>
/// Creates, drives and removes long-running containers: exec, restart, stop, remove and log tails.
/// </summary>
public sealed class ContainerManager
{
    private static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);

    private readonly IDockerClient client;
    private readonly ILogger logger;

    public ContainerManager(IDockerClient client, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.logger = logger;
    }

    /// <summary>
    /// Creates a container from <paramref name="spec"/>, starts it and returns its id once the engine reports it
    /// running. The container is removed again when it does not start.
    /// </summary>
    /// <exception cref="PipelineException">The image does not exist, or the container stopped right after start.</exception>
    public async Task<string> CreateAndStartAsync(ContainerSettings spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Image);

        var parameters = new CreateContainerParameters
        {
            Name = string.IsNullOrEmpty(spec.Name) ? null : spec.Name,
            Image = spec.Image,
            Cmd = spec.Command.Count == 0 ? null! : spec.Command.ToList(),
            Entrypoint = spec.Entrypoint?.ToList()!,
            Env = spec.Environment.Select(pair => $"{pair.Key}={pair.Value}").ToList(),
            User = spec.User,
            WorkingDir = spec.WorkingDirectory,
            Labels = DockerLabels.WithManaged(spec.Labels),
            HostConfig = new HostConfig
            {
                Mounts = spec.Volumes
                    .Select(pair => new Mount { Type = "volume", Source = pair.Value, Target = pair.Key })
                    .ToList(),
            },
        };

        CreateContainerResponse created;
        try
        {
            created = await client.Containers.CreateContainerAsync(parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException exception)
        {
            throw new PipelineException(
                $"The image {spec.Image} does not exist in the local engine. Build or pull it before creating a container from it.",
                exception);
        }

        try
        {
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);
            // NOTE: this catches only a command that exits before the inspect call; one that fails a moment later passes.
            var state = await client.Containers.InspectContainerAsync(created.ID, cancellationToken).ConfigureAwait(false);
            if (state.State is not { Running: true })
            {
                var logs = await GetLogTailAsync(created.ID, 20, cancellationToken).ConfigureAwait(false);
                throw new PipelineException(
                    $"The container {DockerIds.Short(created.ID)} from image {spec.Image} stopped right after start "
                    + $"with exit code {state.State?.ExitCode}. Last log lines:\n{logs}");
            }
        }
        catch
        {
            await RemoveAsync(created.ID, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        logger.Information("Container {ContainerId} ({Name}) started from image {Image}", DockerIds.Short(created.ID), spec.Name, spec.Image);
        return created.ID;
    }

    /// <summary>
    /// Runs a command in the running container and returns its exit code and demultiplexed output.
    /// A non-zero exit code is returned, not thrown.
    /// </summary>
    /// <exception cref="PipelineException">The command did not finish within <see cref="ExecRequest.Timeout"/>.</exception>
    public async Task<CommandResult> ExecAsync(string containerId, ExecRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command.Count == 0)
        {
            throw new ArgumentException("The command is empty.", nameof(request));
        }

        var exec = await client.Exec.CreateContainerExecAsync(
            containerId,
            new ContainerExecCreateParameters
            {
                Cmd = request.Command.ToList(),
                User = request.User,
                Env = request.Environment.Select(pair => $"{pair.Key}={pair.Value}").ToList(),
                WorkingDir = request.WorkingDirectory,
                AttachStdout = true,
                AttachStderr = true,
            },
            cancellationToken).ConfigureAwait(false);

        var output = new MultiplexedOutput();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(request.Timeout);
        var shownCommand = string.Join(' ', request.Command);
        try
        {
            using var stream = await client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), timeout.Token).ConfigureAwait(false);
            await output.ReadToEndAsync(stream, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The engine has no call to end an exec process; it keeps running until the container stops.
            throw new PipelineException(
                $"The command '{shownCommand}' in container {DockerIds.Short(containerId)} did not finish within "
                + $"{request.Timeout.TotalSeconds:F0} s. Last output:\n{new CommandResult(-1, output.Stdout, output.Stderr).Tail()}",
                exception);
        }

        var inspected = await client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken).ConfigureAwait(false);
        if (inspected.Running || inspected.ExitCode is null)
        {
            throw new PipelineException(
                $"The command '{shownCommand}' in container {DockerIds.Short(containerId)} closed its output but the engine reports no exit code.");
        }

        logger.Debug(
            "Exec {Command} as {User} in container {ContainerId} exited with {ExitCode}",
            shownCommand, string.IsNullOrEmpty(request.User) ? "(container user)" : request.User, DockerIds.Short(containerId), inspected.ExitCode);
        return new CommandResult(inspected.ExitCode.Value, output.Stdout, output.Stderr);
    }

    /// <summary>Restarts the container, giving its processes <paramref name="stopTimeout"/> (default 10 s) to exit.</summary>
    public async Task RestartAsync(string containerId, TimeSpan? stopTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        await client.Containers.RestartContainerAsync(
            containerId,
            new ContainerRestartParameters { WaitBeforeKillSeconds = Seconds(stopTimeout) },
            cancellationToken).ConfigureAwait(false);

        var state = await client.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
        if (state.State is not { Running: true })
        {
            throw new PipelineException(
                $"The container {DockerIds.Short(containerId)} is not running after restart (exit code {state.State?.ExitCode}).");
        }

        logger.Information("Container {ContainerId} restarted", DockerIds.Short(containerId));
    }

    /// <summary>Stops the container, giving its processes <paramref name="stopTimeout"/> (default 10 s) to exit.</summary>
    public async Task StopAsync(string containerId, TimeSpan? stopTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        await client.Containers.StopContainerAsync(
            containerId,
            new ContainerStopParameters { WaitBeforeKillSeconds = Seconds(stopTimeout) },
            cancellationToken).ConfigureAwait(false);
        logger.Information("Container {ContainerId} stopped", DockerIds.Short(containerId));
    }

    /// <summary>
    /// Removes the container by force with its anonymous volumes; named volumes stay. A container that does not
    /// exist is not an error.
    /// </summary>
    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            await client.Containers.RemoveContainerAsync(
                containerId,
                new ContainerRemoveParameters { Force = true, RemoveVolumes = true },
                cancellationToken).ConfigureAwait(false);
            logger.Information("Container {ContainerId} removed", DockerIds.Short(containerId));
        }
        catch (DockerContainerNotFoundException)
        {
            logger.Debug("Container {ContainerId} was already removed", DockerIds.Short(containerId));
        }
    }

    /// <summary>Returns whether the container exists and is running.</summary>
    public async Task<bool> IsRunningAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        try
        {
            var state = await client.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false);
            return state.State is { Running: true };
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Returns the last <paramref name="lineCount"/> lines of the container's log, standard output and standard
    /// error interleaved as the engine stored them.
    /// </summary>
    public async Task<string> GetLogTailAsync(string containerId, int lineCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lineCount);

        using var stream = await client.Containers.GetContainerLogsAsync(
            containerId,
            new ContainerLogsParameters
            {
                ShowStdout = true,
                ShowStderr = true,
                Tail = lineCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            cancellationToken).ConfigureAwait(false);
        var output = new MultiplexedOutput();
        await output.ReadToEndAsync(stream, cancellationToken).ConfigureAwait(false);
        return output.Combined.TrimEnd('\n');
    }

    private static uint Seconds(TimeSpan? timeout) => (uint)Math.Ceiling((timeout ?? DefaultStopTimeout).TotalSeconds);
}
