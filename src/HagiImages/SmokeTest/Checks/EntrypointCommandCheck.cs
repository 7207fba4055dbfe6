namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// The image's entrypoint runs the command given on the command line (<c>docker run IMAGE echo TOKEN</c> prints
/// TOKEN) instead of ignoring it or running the default command.
/// </summary>
public sealed class EntrypointCommandCheck : ISmokeCheck
{
    public string Name => "entrypoint-runs-command";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        // A token of this run, so that an image whose default command happens to print "ok" cannot pass.
        var token = $"hagi-smoke-{context.Session.RunId}";

        var result = await context.Session.RunAsync(["echo", token], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SmokeCheckFailedException($"'echo {token}' through the entrypoint exited with code {result.ExitCode}.", result.Output);
        }

        if (result.Stdout.Trim() != token)
        {
            throw new SmokeCheckFailedException(
                $"'echo {token}' through the entrypoint printed '{Shorten(result.Stdout.Trim())}' instead of '{token}', so the entrypoint does not run the given command.",
                result.Output);
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
