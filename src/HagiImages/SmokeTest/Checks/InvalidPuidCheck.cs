namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// The entrypoint rejects a <c>PUID</c> or <c>PGID</c> that is not a whole number, is above the largest id, or is 0
/// (root): the container exits non-zero with a message that names the variable and the value, and the command does
/// not run.
/// </summary>
public sealed class InvalidPuidCheck : ISmokeCheck
{
    private const string CommandMarker = "hagi-smoke-command-ran";

    private static readonly (string Variable, string Value, string Message)[] Cases =
    [
        ("PUID", "abc", "PUID must be a whole number, got 'abc'"),
        ("PUID", "0", "PUID=0 would run the CLIs as root"),
        ("PUID", "-1", "PUID must be a whole number, got '-1'"),
        ("PUID", "99999999999", "PUID must be at most"),
        ("PGID", "0", "PGID=0 would run the CLIs as root"),
        ("PGID", "1x", "PGID must be a whole number, got '1x'"),
    ];

    public string Name => "invalid-puid-rejected";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        foreach (var (variable, value, message) in Cases)
        {
            var result = await context.Session.RunAsync(["echo", CommandMarker], [$"{variable}={value}"], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == 0 || result.Stdout.Contains(CommandMarker, StringComparison.Ordinal))
            {
                throw new SmokeCheckFailedException($"With {variable}='{value}' the container exited with code {result.ExitCode} and ran the command; expected a non-zero exit before it.", result.Output);
            }

            if (!result.Stderr.Contains(message, StringComparison.Ordinal))
            {
                throw new SmokeCheckFailedException($"With {variable}='{value}' the output lacks the message \"{message}\".", result.Output);
            }
        }
    }
}
