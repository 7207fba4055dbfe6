using System.Text.Json;
using HagiImages.Npm;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// The image's Node.js satisfies the <c>engines.node</c> range of a CLI's installed package.json. A package
/// without <c>engines.node</c> accepts any Node.js and passes.
/// </summary>
public sealed class NodeEnginesCheck : ISmokeCheck
{
    private readonly string cliId;

    public NodeEnginesCheck(string cliId)
    {
        this.cliId = cliId;
    }

    public string Name => $"node-engines-{cliId}";

    /// <summary>Returns the path of the installed package.json of <paramref name="package"/> for CLI <paramref name="cliId"/>.</summary>
    public static string PackageJsonPath(string cliId, string package) => $"/opt/hagi/clis/{cliId}/node_modules/{package}/package.json";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var cli = context.Manifest.Clis.Single(candidate => candidate.Id == cliId);
        var packageJsonPath = PackageJsonPath(cli.Id, cli.Package);

        var nodeVersion = await context.Session.RunAsync(["node", "--version"], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (nodeVersion.ExitCode != 0)
        {
            throw new SmokeCheckFailedException($"'node --version' exited with code {nodeVersion.ExitCode}.", nodeVersion.Output);
        }

        var version = nodeVersion.Stdout.Trim().TrimStart('v');
        if (!NpmVersion.TryParse(version, out _))
        {
            throw new SmokeCheckFailedException($"'node --version' printed '{nodeVersion.Stdout.Trim()}', which is not a version.", nodeVersion.Output);
        }

        var range = ReadEnginesNode(await context.Session.ReadFileAsync(packageJsonPath, cancellationToken).ConfigureAwait(false), packageJsonPath);
        if (range is null)
        {
            context.Logger.Information("Package {Package} of CLI {Cli} declares no engines.node; any Node.js is accepted", cli.Package, cli.Id);
            return;
        }

        if (!NpmRange.TryParse(range, out var parsed))
        {
            throw new SmokeCheckFailedException($"engines.node '{range}' in {packageJsonPath} is not a valid npm range.");
        }

        if (!NpmRange.Satisfies(version, parsed.Text))
        {
            throw new SmokeCheckFailedException(
                $"Node.js {version} of the image does not satisfy engines.node '{range}' of {cli.Package} ({packageJsonPath}). Change node.version in image.json or pin another CLI version.");
        }
    }

    private static string? ReadEnginesNode(byte[] content, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("engines", out var engines)
                && engines.ValueKind == JsonValueKind.Object
                && engines.TryGetProperty("node", out var node))
            {
                return node.ValueKind == JsonValueKind.String
                    ? node.GetString()
                    : throw new SmokeCheckFailedException($"engines.node in {path} is a JSON {node.ValueKind}, not a string.");
            }

            return null;
        }
        catch (JsonException exception)
        {
            throw new SmokeCheckFailedException($"{path} is not valid JSON: {exception.Message}");
        }
    }
}
