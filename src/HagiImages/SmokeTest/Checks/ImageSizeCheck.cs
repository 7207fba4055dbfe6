using System.IO.Compression;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// The image's compressed size stays within the manifest's <c>smoke.sizeBudgetMiB</c>. The size is an estimate:
/// the sum of the gzip sizes (default level) of the layer tars, as a registry stores them after a push. Layer
/// tars that registries already hold, such as a shared base image, count too.
/// </summary>
public sealed class ImageSizeCheck : ISmokeCheck
{
    private const double BytesPerMiB = 1024 * 1024;

    public string Name => "size-budget";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var budget = context.Manifest.Smoke.SizeBudgetMiB;
        if (budget <= 0)
        {
            return;
        }

        long compressed = 0;
        var layers = 0;
        await using (var archive = await context.Session.SaveImageAsync(cancellationToken).ConfigureAwait(false))
        {
            await ImageArchive.WalkAsync(
                archive,
                async (_, layer, storedGzipLength) =>
                {
                    layers++;
                    compressed += storedGzipLength ?? await GzipLengthAsync(layer, cancellationToken).ConfigureAwait(false);
                },
                (_, _) => Task.CompletedTask,
                cancellationToken).ConfigureAwait(false);
        }

        var mebibytes = compressed / BytesPerMiB;
        context.Logger.Information(
            "Image {Image} is about {SizeMiB:F1} MiB compressed ({LayerCount} layers, gzip estimate), budget {BudgetMiB} MiB",
            context.Session.Image, mebibytes, layers, budget);
        if (mebibytes > budget)
        {
            throw new SmokeCheckFailedException(
                $"The image is about {mebibytes:F1} MiB compressed ({layers} layers, sum of gzip sizes), above the budget of {budget} MiB in smoke.sizeBudgetMiB.");
        }
    }

    private static async Task<long> GzipLengthAsync(Stream layer, CancellationToken cancellationToken)
    {
        var counter = new CountingStream();
        await using (var gzip = new GZipStream(counter, CompressionLevel.Optimal, leaveOpen: true))
        {
            await layer.CopyToAsync(gzip, cancellationToken).ConfigureAwait(false);
        }

        return counter.Length;
    }
}
