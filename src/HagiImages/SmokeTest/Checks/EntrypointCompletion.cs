namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// Waits until a started container's entrypoint has handed PID 1 over to the command. The engine reports the
/// container as running as soon as the entrypoint starts, before it has re-owned folders or written settings.
/// </summary>
internal static class EntrypointCompletion
{
    // Names PID 1 has in /proc/1/comm before the hand-over: the entrypoint's shebang runs env, which runs bash,
    // and bash then runs setpriv. After it, PID 1 is tini, or the command itself in an image without tini.
    private static readonly string[] EntrypointNames = ["hagi-entrypoint", "env", "bash", "setpriv"];

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task WaitAsync(SmokeContext context, string container, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var name = await context.Session.ExecAsync(container, ["cat", "/proc/1/comm"], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (name.ExitCode == 0 && !EntrypointNames.Contains(name.Stdout.Trim()))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var logs = await context.Session.TailLogsAsync(container, 20, cancellationToken).ConfigureAwait(false);
                throw new SmokeCheckFailedException($"The entrypoint of container {container[..12]} did not hand over to the command within {Timeout.TotalSeconds:F0} s.", logs);
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
