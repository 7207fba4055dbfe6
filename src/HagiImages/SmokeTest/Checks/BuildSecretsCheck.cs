using System.Formats.Tar;
using System.Text;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// No build secret reached the image: no layer contains the build's CA bundle, a path under
/// <c>/opt/hagi-build</c> (or the older <c>/opt/hagi/build</c>) or an npmrc outside <c>node_modules</c>, and neither the layer files nor the config (with
/// history and labels) contain a value of <see cref="SmokeContext.Secrets"/>.
/// </summary>
public sealed class BuildSecretsCheck : ISmokeCheck
{
    private const int MaxReportedFindings = 20;

    public string Name => "no-build-secrets";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var scanner = new SecretScanner(context.Secrets);
        var findings = new List<string>();
        var layers = 0;

        await using (var archive = await context.Session.SaveImageAsync(cancellationToken).ConfigureAwait(false))
        {
            await ImageArchive.WalkAsync(
                archive,
                async (name, layer, _) =>
                {
                    layers++;
                    await ScanLayerAsync(scanner, name, layer, findings, cancellationToken).ConfigureAwait(false);
                },
                (name, content) =>
                {
                    ScanMetadata(scanner, name, content, findings);
                    return Task.CompletedTask;
                },
                cancellationToken).ConfigureAwait(false);
        }

        context.Logger.Information(
            "Searched {LayerCount} layers of {Image} for build files and {SecretCount} secret values", layers, context.Session.Image, context.Secrets.Values.Count);
        if (layers == 0)
        {
            throw new SmokeCheckFailedException($"The saved image {context.Session.Image} contained no layer that could be read as a tar or a gzip-compressed tar.");
        }

        if (findings.Count > 0)
        {
            var shown = findings.Take(MaxReportedFindings).ToList();
            var more = findings.Count > shown.Count ? $" and {findings.Count - shown.Count} more" : "";
            throw new SmokeCheckFailedException($"Build secrets found in the image: {string.Join("; ", shown)}{more}.");
        }
    }

    private static async Task ScanLayerAsync(SecretScanner scanner, string layerName, Stream layer, List<string> findings, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(layer, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (SecretScanner.DescribeBuildFile(entry.Name) is { } reason)
            {
                findings.Add($"layer {layerName} contains /{entry.Name.TrimStart('.', '/')} ({reason})");
            }

            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is not null
                && await scanner.FindSecretAsync(entry.DataStream, cancellationToken).ConfigureAwait(false) is { } index)
            {
                findings.Add($"layer {layerName} file /{entry.Name.TrimStart('.', '/')} contains secret value #{index + 1}");
            }
        }
    }

    private static void ScanMetadata(SecretScanner scanner, string name, byte[] content, List<string> findings)
    {
        var text = Encoding.UTF8.GetString(content);
        foreach (var marker in SecretScanner.FindBuildFileMarkers(text))
        {
            findings.Add($"{name} (image config, history or manifest) mentions '{marker}'");
        }

        if (scanner.FindSecret(content) is { } index)
        {
            findings.Add($"{name} (image config, history or manifest) contains secret value #{index + 1}");
        }
    }
}
