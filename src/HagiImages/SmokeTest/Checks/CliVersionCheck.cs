using System.Text.RegularExpressions;

namespace HagiImages.SmokeTest.Checks;

/// <summary>A CLI runs and prints the version the lock file pins.</summary>
public sealed class CliVersionCheck : ISmokeCheck
{
    private readonly string cliId;

    public CliVersionCheck(string cliId)
    {
        this.cliId = cliId;
    }

    public string Name => $"cli-version-{cliId}";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var cli = context.Manifest.Clis.Single(candidate => candidate.Id == cliId);
        var pinned = context.Lock.Clis[cliId].Version;
        var command = cli.EffectiveVersionCommand();

        var result = await context.Session.RunAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SmokeCheckFailedException($"'{string.Join(' ', command)}' exited with code {result.ExitCode}.", result.Output);
        }

        // The version must stand as a whole token, so that 1.2.3 does not match 11.2.3 or 1.2.30.
        var pattern = $@"(?<![0-9A-Za-z.+-]){Regex.Escape(pinned)}(?![0-9A-Za-z.+-])";
        if (!Regex.IsMatch(result.Stdout, pattern))
        {
            throw new SmokeCheckFailedException(
                $"'{string.Join(' ', command)}' printed '{result.Stdout.Trim()}', which does not contain the pinned version {pinned}.", result.Output);
        }
    }
}
