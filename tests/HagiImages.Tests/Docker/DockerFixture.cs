using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BaseImage;
using HagiImages.Docker;
using HagiImages.Pipeline;

namespace HagiImages.Tests.Docker;

/// <summary>
/// The engine connection for tests, and the bootstrap base image built once per test run under the test
/// repositories <c>hagi-test/debian</c> and <c>hagi-test/node</c>; both are removed when the run ends.
/// Without an engine, <see cref="Client"/> is null unless <c>HAGI_REQUIRE_DOCKER=1</c>, which makes every engine
/// test fail instead.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    // Declared before the names that use it, because static fields are initialised in the order of the source.
    private static readonly string RunSuffix = Guid.NewGuid().ToString("N")[..8];

    // Unique per test run, because each run removes its base images at the end and two runs may share an engine.
    public static readonly string DebianRepository = $"hagi-test/debian-{RunSuffix}";
    public static readonly string NodeRepository = $"hagi-test/node-{RunSuffix}";

    public static readonly IReadOnlyDictionary<string, string> TestLabels = new Dictionary<string, string> { [DockerLabels.Test] = "true" };

    private readonly Lock baseImageLock = new();
    private Task<string>? baseImage;
    private Exception? connectError;

    public DockerClient? Client { get; private set; }

    public TestLog Log { get; } = new();

    /// <summary>Temporary folder given to the bootstrap as its work folder; empty after each bootstrap.</summary>
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), $"hagi-test-work-{Guid.NewGuid():N}");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromMinutes(5) };

    public static bool Required => Environment.GetEnvironmentVariable("HAGI_REQUIRE_DOCKER") == "1";

    public async Task InitializeAsync()
    {
        try
        {
            Client = await DockerEngine.ConnectAsync(Log.Logger).ConfigureAwait(false);
        }
        catch (PipelineException exception)
        {
            connectError = exception;
        }
    }

    /// <summary>
    /// Returns the client, or null when the test should return early because no engine runs and none is required.
    /// </summary>
    public DockerClient? ClientOrSkip()
    {
        if (Client is null && Required)
        {
            throw new InvalidOperationException($"HAGI_REQUIRE_DOCKER=1 but no Docker engine is reachable: {connectError?.Message}");
        }

        return Client;
    }

    public BaseImageRequest BaseImageRequest() => new()
    {
        Source = BaseImageSource.Bootstrap,
        Node = TestPins.Node,
        Npm = TestPins.Npm,
        DebianRepository = DebianRepository,
        NodeRepository = NodeRepository,
        Labels = TestLabels,
        WorkDirectory = WorkDirectory,
    };

    /// <summary>
    /// Returns the test base image, bootstrapping it on the first call of the run. A failed bootstrap is not
    /// retried: every later call gets the same exception.
    /// </summary>
    public Task<string> GetBaseImageAsync()
    {
        var client = Client ?? throw new InvalidOperationException("No Docker engine.");
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The bootstrap base image needs Linux.");
        }

        lock (baseImageLock)
        {
            baseImage ??= new BootstrapBaseImage(client, Http, Log.Logger).EnsureAsync(BaseImageRequest());
            return baseImage;
        }
    }

    /// <summary>Returns the imported Debian image that the test base image was built from.</summary>
    public async Task<string> GetDebianImageAsync()
    {
        await GetBaseImageAsync().ConfigureAwait(false);
        var images = await Client!.Images.ListImagesAsync(new ImagesListParameters()).ConfigureAwait(false);
        return images.SelectMany(image => image.RepoTags ?? []).Single(tag => tag.StartsWith(DebianRepository + ":", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        if (Client is not null)
        {
            var images = await Client.Images.ListImagesAsync(new ImagesListParameters()).ConfigureAwait(false);
            var tags = images.SelectMany(image => image.RepoTags ?? [])
                .Where(tag => tag.StartsWith(NodeRepository + ":", StringComparison.Ordinal) || tag.StartsWith(DebianRepository + ":", StringComparison.Ordinal))
                .OrderBy(tag => tag.StartsWith(DebianRepository, StringComparison.Ordinal) ? 1 : 0)
                .ToList();
            foreach (var tag in tags)
            {
                try
                {
                    await Client.Images.DeleteImageAsync(tag, new ImageDeleteParameters()).ConfigureAwait(false);
                }
                catch (DockerApiException exception) when (exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
                {
                    // A conflict means a test left a container of the image; the next run removes the image.
                }
            }

            Client.Dispose();
        }

        Http.Dispose();
        if (Directory.Exists(WorkDirectory) && !Directory.EnumerateFileSystemEntries(WorkDirectory).Any())
        {
            Directory.Delete(WorkDirectory);
        }
    }
}
