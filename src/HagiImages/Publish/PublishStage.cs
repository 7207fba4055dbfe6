using Docker.DotNet;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Publish;

/// <summary>
/// Publishes a built image: pushes it to every <c>--registry</c> given, or saves it to an archive when none is.
/// </summary>
public static class PublishStage
{
    /// <summary>
    /// Computes the tag plan of <paramref name="request"/>, then pushes or exports the image. A dry run reads the
    /// registries and returns the plan in <see cref="PublishResult.DryRunSteps"/> without changing anything.
    /// <paramref name="credentials"/> defaults to a resolver over the process environment.
    /// </summary>
    /// <exception cref="PipelineException">A value of the request is invalid, the source image does not exist, or the
    /// push or export fails.</exception>
    public static async Task<PublishResult> RunAsync(
        IDockerClient client,
        PublishRequest request,
        ILogger logger,
        RegistryCredentialResolver? credentials = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);

        var plan = TagPlan.Create(request.Repository, request.Version, request.Revision, request.Registries, request.CliTag);
        if (request.DryRun)
        {
            return await PlanOnlyAsync(client, request, plan, logger, credentials, cancellationToken).ConfigureAwait(false);
        }

        var imageId = await FindImageIdAsync(client, request.SourceImage, cancellationToken).ConfigureAwait(false);

        if (!plan.IsPush)
        {
            var archive = await new ImageExporter(client, logger).ExportAsync(imageId, plan, request.OutputDirectory, cancellationToken).ConfigureAwait(false);
            return new PublishResult(plan, imageId, [], archive);
        }

        using var publisher = new ImagePublisher(client, credentials ?? new RegistryCredentialResolver(), logger);
        var pushed = await publisher.PushAsync(imageId, plan, cancellationToken).ConfigureAwait(false);
        return new PublishResult(plan, imageId, pushed, null);
    }

    private static async Task<PublishResult> PlanOnlyAsync(
        IDockerClient client, PublishRequest request, TagPlan plan, ILogger logger, RegistryCredentialResolver? credentials, CancellationToken cancellationToken)
    {
        string? imageId = null;
        try
        {
            imageId = (await client.Images.InspectImageAsync(request.SourceImage, cancellationToken).ConfigureAwait(false)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            logger.Warning("Image {Image} does not exist yet, so the dry run treats every tag as one to push", request.SourceImage);
        }

        if (!plan.IsPush)
        {
            return new PublishResult(plan, imageId ?? "", [], null, []);
        }

        using var publisher = new ImagePublisher(client, credentials ?? new RegistryCredentialResolver(), logger);
        var steps = await publisher.PlanAsync(imageId, plan, cancellationToken).ConfigureAwait(false);
        return new PublishResult(plan, imageId ?? "", [], null, steps);
    }

    private static async Task<string> FindImageIdAsync(IDockerClient client, string sourceImage, CancellationToken cancellationToken)
    {
        try
        {
            var image = await client.Images.InspectImageAsync(sourceImage, cancellationToken).ConfigureAwait(false);
            return image.ID;
        }
        catch (DockerImageNotFoundException exception)
        {
            throw new PipelineException($"Image '{sourceImage}' to publish does not exist in the Docker engine. Build the image first, or pass the id or reference of an existing image.", exception);
        }
    }
}
