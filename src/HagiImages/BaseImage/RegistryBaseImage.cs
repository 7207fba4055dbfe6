using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Docker;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BaseImage;

/// <summary>Provides a base image from a registry: uses the local copy, or pulls it.</summary>
internal sealed class RegistryBaseImage
{
    private readonly IDockerClient client;
    private readonly ILogger logger;

    public RegistryBaseImage(IDockerClient client, ILogger logger)
    {
        this.client = client;
        this.logger = logger;
    }

    /// <summary>Returns <paramref name="reference"/> once the engine has that image, pulling it when it is missing.</summary>
    /// <exception cref="PipelineException">The image is missing and the pull failed.</exception>
    public async Task<string> EnsureAsync(string reference, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new PipelineException("The registry base image is empty. Set node.registryImage in image.json, such as node:22-bookworm-slim.");
        }

        if (await ExistsAsync(reference, cancellationToken).ConfigureAwait(false) is { } localId)
        {
            logger.Information("Base image {Image} found locally ({ImageId})", reference, DockerIds.Short(localId));
            return reference;
        }

        var (image, tag) = Split(reference);
        logger.Information("Base image {Image} is not present locally; pulling it", reference);
        var progress = new EngineMessageProgress(logger, reference);
        string? error;
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = image, Tag = tag }, null, progress, cancellationToken)
                .ConfigureAwait(false);
            error = progress.Error;
        }
        catch (DockerApiException exception)
        {
            error = $"{(int)exception.StatusCode} {exception.ResponseBody?.Trim()}";
        }

        var pulledId = error is null ? await ExistsAsync(reference, cancellationToken).ConfigureAwait(false) : null;
        if (pulledId is null)
        {
            throw new PipelineException(
                $"The base image {reference} is not in the local engine and pulling it failed: {error ?? "the engine has no image of that name afterwards"}. "
                + "The registry (for node images, Docker Hub) may not be reachable from this machine. Use --base-image bootstrap to build "
                + "the base image from Debian packages and the npm registry instead.");
        }

        logger.Information("Pulled base image {Image} ({ImageId})", reference, DockerIds.Short(pulledId));
        return reference;
    }

    private async Task<string?> ExistsAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            var inspected = await client.Images.InspectImageAsync(reference, cancellationToken).ConfigureAwait(false);
            return inspected.ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Splits a reference into the image name and the tag or digest that the pull call expects.</summary>
    internal static (string Image, string Tag) Split(string reference)
    {
        var at = reference.IndexOf('@');
        if (at >= 0)
        {
            return (reference[..at], reference[(at + 1)..]);
        }

        var colon = reference.LastIndexOf(':');
        var slash = reference.LastIndexOf('/');
        return colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }
}
