using Docker.DotNet;

namespace HagiImages.Tests.Publish;

/// <summary>
/// Connects publish tests to the local Docker engine. Without an engine a test returns early, unless
/// <c>HAGI_REQUIRE_DOCKER=1</c> is set, in which case it fails.
/// </summary>
internal static class DockerTestEngine
{
    /// <summary>Returns a connected client, or null when no engine responds and none is required.</summary>
    /// <exception cref="InvalidOperationException">No engine responds and <c>HAGI_REQUIRE_DOCKER=1</c> is set.</exception>
    public static async Task<DockerClient?> ConnectAsync()
    {
        var client = new DockerClientBuilder().Build();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.System.PingAsync(timeout.Token);
            return client;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            client.Dispose();
            if (Environment.GetEnvironmentVariable("HAGI_REQUIRE_DOCKER") == "1")
            {
                throw new InvalidOperationException($"HAGI_REQUIRE_DOCKER=1 is set, but no Docker engine responds: {exception.Message}", exception);
            }

            return null;
        }
    }
}
