using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Docker;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BuildImages;

/// <summary>
/// Builds images through the Engine API with the classic builder, checks the result and removes the images of
/// earlier stages.
/// </summary>
public sealed class ImageBuilder
{
    /// <summary>Value of the API's <c>version</c> build parameter that selects the classic builder.</summary>
    private const string ClassicBuilder = "1";

    private readonly IDockerClient client;
    private readonly ILogger logger;
    private readonly IntermediateImageCleaner cleaner;

    public ImageBuilder(IDockerClient client, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.logger = logger;
        cleaner = new IntermediateImageCleaner(client, logger);
    }

    /// <summary>
    /// Builds the image, tags it with every tag of the request and returns its id (<c>sha256:...</c>). Base images
    /// are never pulled, so they must exist in the engine. Intermediate containers are removed, and so are the
    /// images reported by the build that are not layers of the final image, also when the build fails.
    /// </summary>
    /// <exception cref="PipelineException">
    /// The build failed (the message names the image, the failing step and its last output lines), timed out, or the
    /// image is missing, untagged or lacks a requested label afterwards.
    /// </exception>
    public async Task<string> BuildAsync(ImageBuildRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Tags.Count == 0)
        {
            throw new ArgumentException("At least one tag is required.", nameof(request));
        }

        var image = request.Tags[0];
        var progress = new BuildProgress(logger, image, request.SecretBuildArgs.Values);
        var parameters = new ImageBuildParameters
        {
            Dockerfile = request.Dockerfile,
            Tags = request.Tags.ToList(),
            BuildArgs = MergeBuildArgs(request),
            Labels = request.Labels.ToDictionary(),
            Remove = true,
            ForceRemove = true,
            Pull = "false",
            NoCache = request.NoCache,
            Version = ClassicBuilder,
        };

        logger.Information(
            "Building image {Image} with build arguments {BuildArgs} and secret build arguments {SecretBuildArgs}",
            image, request.BuildArgs, request.SecretBuildArgs.Keys.Order(StringComparer.Ordinal).ToList());
        var stopwatch = Stopwatch.StartNew();

        await using (var context = CreateTemporaryFile())
        {
            await request.Context.WriteToAsync(context, cancellationToken).ConfigureAwait(false);
            context.Position = 0;
            await RunBuildAsync(image, parameters, context, progress, request.Timeout, request.RemoveIntermediateImages, cancellationToken).ConfigureAwait(false);
        }

        progress.FlushPartialLine();
        if (progress.Error is not null)
        {
            if (request.RemoveIntermediateImages)
            {
                await RemoveIntermediatesAfterFailureAsync(image, progress).ConfigureAwait(false);
            }

            throw new PipelineException(
                $"Building image {image} failed at {Describe(progress.CurrentStep)}: {progress.Error}\n"
                + $"Last output of the step:\n{string.Join('\n', progress.StepOutput)}");
        }

        var imageId = await CheckResultAsync(request, cancellationToken).ConfigureAwait(false);
        if (request.RemoveIntermediateImages)
        {
            await cleaner.RemoveAsync(image, imageId, progress.ImageIds, cancellationToken).ConfigureAwait(false);
        }

        logger.Information("Image {Image} built as {ImageId} in {Seconds:F1} s", image, DockerIds.Short(imageId), stopwatch.Elapsed.TotalSeconds);
        return imageId;
    }

    private async Task RunBuildAsync(
        string image, ImageBuildParameters parameters, Stream context, BuildProgress progress, TimeSpan timeout, bool removeIntermediates, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await client.Images.BuildImageFromDockerfileAsync(parameters, context, null, null, progress, timeoutSource.Token).ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            if (removeIntermediates)
            {
                await RemoveIntermediatesAfterFailureAsync(image, progress).ConfigureAwait(false);
            }

            throw new PipelineException(
                $"The engine rejected the build of image {image} ({(int)exception.StatusCode}): {progress.MaskSecrets(exception.ResponseBody?.Trim() ?? exception.Message)}",
                exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            if (removeIntermediates)
            {
                await RemoveIntermediatesAfterFailureAsync(image, progress).ConfigureAwait(false);
            }

            throw new PipelineException(
                $"Building image {image} did not finish within {timeout.TotalMinutes:F0} min; it was at {Describe(progress.CurrentStep)}.",
                exception);
        }
    }

    private async Task<string> CheckResultAsync(ImageBuildRequest request, CancellationToken cancellationToken)
    {
        var image = request.Tags[0];
        ImageInspectResponse inspected;
        try
        {
            inspected = await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException exception)
        {
            throw new PipelineException($"The build of image {image} reported success, but the engine has no image of that name.", exception);
        }

        foreach (var tag in request.Tags.Skip(1))
        {
            var tagged = await client.Images.InspectImageAsync(tag, cancellationToken).ConfigureAwait(false);
            if (tagged.ID != inspected.ID)
            {
                throw new PipelineException($"The tag {tag} points to {DockerIds.Short(tagged.ID)}, not to the built image {DockerIds.Short(inspected.ID)} of {image}.");
            }
        }

        var labels = inspected.Config?.Labels ?? new Dictionary<string, string>();
        foreach (var (key, value) in request.Labels)
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                throw new PipelineException($"The built image {image} lacks the label {key}={value} (found '{actual}').");
            }
        }

        return inspected.ID;
    }

    /// <summary>
    /// Removes what a failed build left; runs without the caller's token so a cancelled build leaves no secrets.
    /// A failure here is logged, because the build error is the one to report.
    /// </summary>
    private async Task RemoveIntermediatesAfterFailureAsync(string image, BuildProgress progress)
    {
        try
        {
            await cleaner.RemoveAsync(image, null, progress.ImageIds, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is PipelineException or DockerApiException or HttpRequestException)
        {
            logger.Error("Removing the intermediate images of the failed build of {Image} failed: {Error}", image, exception.Message);
        }
    }

    private static Dictionary<string, string> MergeBuildArgs(ImageBuildRequest request)
    {
        var merged = request.BuildArgs.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in request.SecretBuildArgs)
        {
            if (!merged.TryAdd(name, value))
            {
                throw new ArgumentException($"The build argument {name} is given both as plain and as secret.", nameof(request));
            }
        }

        return merged;
    }

    private static string Describe(string step) => step.Length == 0 ? "the start of the build (before the first step)" : $"'{step}'";

    private static FileStream CreateTemporaryFile() =>
        new(
            Path.Combine(Path.GetTempPath(), $"hagi-context-{Guid.NewGuid():N}.tar"),
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            81920,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
}
