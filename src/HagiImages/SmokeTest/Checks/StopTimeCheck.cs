using System.Diagnostics;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// <c>docker restart</c> of a container whose command would ignore the stop signal as PID 1 (a shell running a
/// child, a node process) takes under 5 s, also with <c>--user</c>. The entrypoint runs the command under an init
/// that forwards the signal, so the engine does not wait out its 10-second grace period.
/// </summary>
public sealed class StopTimeCheck : ISmokeCheck
{
    private static readonly TimeSpan MaxRestart = TimeSpan.FromSeconds(5);

    public string Name => "stop-is-fast";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var imageUser = $"{context.Manifest.User.Uid}:{context.Manifest.User.Gid}";
        var cases = new (string Name, string[] Command, string? User)[]
        {
            ("stop-shell", ["sh", "-c", "sleep 600; exit 0"], null),
            ("stop-node", ["node", "-e", "setInterval(() => {}, 1000)"], null),
            ("stop-user", ["sh", "-c", "sleep 600; exit 0"], imageUser),
        };

        foreach (var (name, command, user) in cases)
        {
            var container = await context.Session.StartAsync(name, new Dictionary<string, string>(), user: user, command: command, cancellationToken: cancellationToken).ConfigureAwait(false);
            await EntrypointCompletion.WaitAsync(context, container, cancellationToken).ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            await context.Session.RestartAsync(container, cancellationToken).ConfigureAwait(false);
            stopwatch.Stop();
            await context.Session.RemoveContainerAsync(container).ConfigureAwait(false);

            if (stopwatch.Elapsed >= MaxRestart)
            {
                throw new SmokeCheckFailedException(
                    $"docker restart of '{string.Join(' ', command)}'{(user is null ? "" : $" with --user {user}")} took {stopwatch.Elapsed.TotalSeconds:F1} s, expected under {MaxRestart.TotalSeconds:F0} s. The command probably runs as PID 1 without tini, which ignores SIGTERM.");
            }
        }
    }
}
