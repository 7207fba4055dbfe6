using System.Net.Http;
using System.Net.Sockets;
using Docker.DotNet;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Docker;

/// <summary>
/// Connects to the Docker Engine named by <c>DOCKER_HOST</c>, or the local socket when it is unset. No API
/// version is pinned, so the engine replies at its own version (API 1.41 for Debian 12's engine).
/// </summary>
public static class DockerEngine
{
    /// <summary>
    /// Creates a client and checks that the engine responds.
    /// </summary>
    /// <exception cref="PipelineException">The engine cannot be reached; the message names the endpoint.</exception>
    public static async Task<DockerClient> ConnectAsync(ILogger logger, CancellationToken cancellationToken = default)
    {
        var endpoint = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var shownEndpoint = string.IsNullOrWhiteSpace(endpoint) ? "unix:///var/run/docker.sock (DOCKER_HOST is unset)" : $"{endpoint} (from DOCKER_HOST)";
        DockerClient client;
        try
        {
            client = new DockerClientBuilder().Build();
        }
        catch (Exception exception) when (exception is DockerConfigurationException or UriFormatException or ArgumentException)
        {
            throw new PipelineException(
                $"The Docker endpoint {shownEndpoint} is invalid: {exception.Message} Set DOCKER_HOST to a value such as unix:///var/run/docker.sock.",
                exception);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            var version = await client.System.GetVersionAsync(timeout.Token).ConfigureAwait(false);
            logger.Information("Connected to Docker Engine {EngineVersion} (API {ApiVersion}) at {Endpoint}", version.Version, version.APIVersion, shownEndpoint);
            return client;
        }
        catch (Exception exception) when (exception is HttpRequestException or SocketException or IOException or TimeoutException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            client.Dispose();
            throw new PipelineException(
                $"The Docker engine at {shownEndpoint} is not reachable: {exception.Message} "
                + "Start the engine (for example 'sudo dockerd &' or 'sudo systemctl start docker') or point DOCKER_HOST at a running one.",
                exception);
        }
    }
}
