using HagiImages.Manifest;
using HagiImages.Render;
using Serilog;

namespace HagiImages.Pipeline;

/// <summary>
/// Runs the pipeline's stages over every image under <c>images/</c>; each public method backs one build target.
/// </summary>
public sealed class HagiPipeline : IDisposable
{
    private readonly PipelineOptions options;
    private readonly ILogger logger;
    private IReadOnlyList<ImageManifest>? manifests;

    public HagiPipeline(PipelineOptions options, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
    }

    /// <summary>Returns the manifests the run covers, loading and validating them once.</summary>
    public IReadOnlyList<ImageManifest> Manifests()
    {
        if (manifests is not null)
        {
            return manifests;
        }

        var all = ManifestLoader.LoadAll(options.ImagesDirectory);
        if (options.Image is { } name)
        {
            all = all.Where(manifest => manifest.Name == name).ToList();
            if (all.Count == 0)
            {
                throw new PipelineException(
                    $"Image '{name}' (from --image) was not found under '{options.ImagesDirectory}'. Use one of: {string.Join(", ", ManifestLoader.LoadAll(options.ImagesDirectory).Select(manifest => manifest.Name))}.");
            }
        }

        manifests = all;
        return manifests;
    }

    public Task ResolveAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException("Resolve is not wired yet.");

    public Task BumpAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException("Bump is not wired yet.");

    /// <summary>Renders the generated files of every image, or with --check compares them.</summary>
    public async Task RenderAsync(CancellationToken cancellationToken = default)
    {
        var stage = new RenderStage(logger);
        foreach (var manifest in Manifests())
        {
            if (options.Check)
            {
                await stage.CheckAsync(manifest, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await stage.WriteAsync(manifest, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task BaseImageAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task BuildImagesAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SmokeTestAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task PublishAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task TestAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
