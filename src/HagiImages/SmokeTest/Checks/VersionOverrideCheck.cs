namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// Each CLI's version variable accepts only an exact SemVer version: any other value, such as a range, a dist-tag
/// or shell syntax, stops the container with an error that names the variable, before the command runs and before
/// npm is called.
/// </summary>
public sealed class VersionOverrideCheck : ISmokeCheck
{
    private const string CommandMarker = "hagi-smoke-command-ran";

    private const int ParallelContainers = 4;

    private static readonly string[] InvalidValues = ["1.0.0 && id", "1.0.0; id", "$(id)", "latest", "^1.0.0", "1.0", "01.0.0"];

    public string Name => "version-override-rejected";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var cases = context.Manifest.Clis
            .Where(cli => cli.VersionVariable is not null)
            .SelectMany(cli => InvalidValues.Select(value => (Variable: cli.VersionVariable!, Value: value)))
            .ToList();

        // Each case is a container of its own, so a few run at the same time; the first failure in case order is reported.
        using var slots = new SemaphoreSlim(ParallelContainers);
        var failures = await Task.WhenAll(cases.Select(async item =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await CheckAsync(context, item.Variable, item.Value, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);

        if (failures.FirstOrDefault(failure => failure is not null) is { } first)
        {
            throw first;
        }
    }

    private static async Task<SmokeCheckFailedException?> CheckAsync(SmokeContext context, string variable, string value, CancellationToken cancellationToken)
    {
        var result = await context.Session.RunAsync(["echo", CommandMarker], [$"{variable}={value}"], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 0 || result.Stdout.Contains(CommandMarker, StringComparison.Ordinal))
        {
            return new SmokeCheckFailedException($"{variable}='{value}' was accepted (exit {result.ExitCode}); expected a non-zero exit before the command runs.", result.Output);
        }

        if (!result.Stderr.Contains($"{variable} must be an exact version", StringComparison.Ordinal))
        {
            return new SmokeCheckFailedException($"{variable}='{value}' was rejected without the message \"{variable} must be an exact version\".", result.Output);
        }

        if (result.Output.Contains("uid=", StringComparison.Ordinal) || result.Output.Contains("npm", StringComparison.OrdinalIgnoreCase))
        {
            return new SmokeCheckFailedException($"{variable}='{value}' reached a shell or npm before it was rejected.", result.Output);
        }

        return null;
    }
}
