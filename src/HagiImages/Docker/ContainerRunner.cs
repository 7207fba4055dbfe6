using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Docker;

/// <summary>
/// Runs one command in a fresh container and returns its exit code and output. The container is removed
/// afterwards, also on failure or timeout.
/// </summary>
public sealed class ContainerRunner
{
    private readonly IDockerClient client;
    private readonly ILogger logger;

    public ContainerRunner(IDockerClient client, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.logger = logger;
    }

    /// <summary>
    /// Creates a container from <see cref="ContainerRunRequest.Image"/>, runs the command to its end and removes
    /// the container with its anonymous volumes. A non-zero exit code is returned, not thrown.
    /// </summary>
    /// <exception cref="PipelineException">The image does not exist, or the command did not finish within the timeout.</exception>
    public async Task<CommandResult> RunAsync(ContainerRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Image);
        if (request.Command.Count == 0 && request.Entrypoint is not { Count: > 0 })
        {
            throw new ArgumentException("The command is empty.", nameof(request));
        }

        var parameters = new CreateContainerParameters
        {
            Image = request.Image,
            Cmd = request.Command.ToList(),
            Entrypoint = request.Entrypoint?.ToList()!,
            Env = request.Environment.Select(pair => $"{pair.Key}={pair.Value}").ToList(),
            User = request.User,
            WorkingDir = request.WorkingDirectory,
            Labels = DockerLabels.WithManaged(request.Labels),
            AttachStdout = true,
            AttachStderr = true,
            HostConfig = new HostConfig(),
        };

        var stopwatch = Stopwatch.StartNew();
        var created = await CreateAsync(parameters, cancellationToken).ConfigureAwait(false);
        var shownCommand = string.Join(' ', request.Command);
        try
        {
            using var stream = await client.Containers.AttachContainerAsync(
                created.ID,
                new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true },
                cancellationToken).ConfigureAwait(false);
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken).ConfigureAwait(false);

            var output = new MultiplexedOutput();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(request.Timeout);
            try
            {
                await output.ReadToEndAsync(stream, timeout.Token).ConfigureAwait(false);
                var exit = await client.Containers.WaitContainerAsync(created.ID, timeout.Token).ConfigureAwait(false);
                logger.Debug(
                    "Command {Command} in image {Image} exited with {ExitCode} after {Seconds:F1} s",
                    shownCommand, request.Image, exit.StatusCode, stopwatch.Elapsed.TotalSeconds);
                return new CommandResult(exit.StatusCode, output.Stdout, output.Stderr);
            }
            catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw new PipelineException(
                    $"The command '{shownCommand}' in image {request.Image} did not finish within {request.Timeout.TotalSeconds:F0} s "
                    + $"and was killed. Last output:\n{new CommandResult(-1, output.Stdout, output.Stderr).Tail()}",
                    exception);
            }
        }
        finally
        {
            await RemoveQuietlyAsync(created.ID).ConfigureAwait(false);
        }
    }

    private async Task<CreateContainerResponse> CreateAsync(CreateContainerParameters parameters, CancellationToken cancellationToken)
    {
        try
        {
            return await client.Containers.CreateContainerAsync(parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException exception)
        {
            throw new PipelineException(
                $"The image {parameters.Image} does not exist in the local engine. Build or pull it before running a container from it.",
                exception);
        }
    }

    /// <summary>
    /// Removes the container without the caller's token, so that a cancelled run still leaves nothing behind.
    /// </summary>
    private async Task RemoveQuietlyAsync(string containerId)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(
                containerId,
                new ContainerRemoveParameters { Force = true, RemoveVolumes = true },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            logger.Warning("Removing container {ContainerId} failed: {Error}", DockerIds.Short(containerId), exception.Message);
        }
    }
}
