namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// Each CLI's version variable accepts only an exact SemVer version: any other value, such as a range, a dist-tag
/// or shell syntax, stops the container with an error that names the variable, before the command runs and before
/// npm is called.
/// </summary>
public sealed class VersionOverrideCheck : ISmokeCheck
{
    private const string CommandMarker = "hagi-smoke-command-ran";

    // NOTE: only rejection is checked, so an entrypoint that also rejects exact versions passes. Accepting one starts
    // an npm install, which took 12 s to fail in one run of the ai-cli image with --network none.
    private static readonly string[] InvalidValues = ["1.0.0 && id", "1.0.0; id", "$(id)", "latest", "^1.0.0", "1.0", "01.0.0"];

    public string Name => "version-override-rejected";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        foreach (var cli in context.Manifest.Clis.Where(cli => cli.VersionVariable is not null))
        {
            foreach (var value in InvalidValues)
            {
                var variable = cli.VersionVariable!;
                var result = await context.Session.RunAsync(["echo", CommandMarker], [$"{variable}={value}"], cancellationToken: cancellationToken).ConfigureAwait(false);
                if (result.ExitCode == 0 || result.Stdout.Contains(CommandMarker, StringComparison.Ordinal))
                {
                    throw new SmokeCheckFailedException($"{variable}='{value}' was accepted (exit {result.ExitCode}); expected a non-zero exit before the command runs.", result.Output);
                }

                if (!result.Stderr.Contains($"{variable} must be an exact version", StringComparison.Ordinal))
                {
                    throw new SmokeCheckFailedException($"{variable}='{value}' was rejected without the message \"{variable} must be an exact version\".", result.Output);
                }

                if (result.Output.Contains("uid=", StringComparison.Ordinal) || result.Output.Contains("npm", StringComparison.OrdinalIgnoreCase))
                {
                    throw new SmokeCheckFailedException($"{variable}='{value}' reached a shell or npm before it was rejected.", result.Output);
                }
            }
        }
    }
}
