using Docker.DotNet;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BaseImage;

/// <summary>
/// Provides the Node.js base image that the CLI image is built FROM, either from a registry or bootstrapped here
/// (the <c>--base-image</c> option).
/// </summary>
public sealed class BaseImageProvider
{
    private readonly IDockerClient client;
    private readonly HttpClient httpClient;
    private readonly ILogger logger;

    public BaseImageProvider(IDockerClient client, HttpClient httpClient, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.httpClient = httpClient;
        this.logger = logger;
    }

    /// <summary>
    /// Makes sure the base image exists in the engine and returns its reference: the registry image (local or
    /// pulled) for <see cref="BaseImageSource.Registry"/>, the image of <see cref="BootstrapBaseImage"/> for
    /// <see cref="BaseImageSource.Bootstrap"/>.
    /// </summary>
    /// <exception cref="PipelineException">The image cannot be provided; the message names the cause and the other option.</exception>
    public Task<string> EnsureAsync(BaseImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.Source)
        {
            case BaseImageSource.Registry:
                return new RegistryBaseImage(client, logger).EnsureAsync(request.RegistryImage, cancellationToken);
            case BaseImageSource.Bootstrap when OperatingSystem.IsLinux():
                return new BootstrapBaseImage(client, httpClient, logger).EnsureAsync(request, cancellationToken);
            case BaseImageSource.Bootstrap:
                throw new PipelineException("--base-image bootstrap runs debootstrap and works on Linux only. Use --base-image registry on this system.");
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Source, "Unknown base image source.");
        }
    }
}
