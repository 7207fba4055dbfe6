namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// The container's main process runs as the manifest's user id, never as root: both the process that the
/// entrypoint hands over to (PID 1) and a command given on the command line.
/// </summary>
public sealed class NonRootUserCheck : ISmokeCheck
{
    public string Name => "runs-as-non-root";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var expectedUid = context.Manifest.User.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var idOutput = await context.Session.RunAsync(["id", "-u"], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (idOutput.ExitCode != 0 || idOutput.Stdout.Trim() != expectedUid)
        {
            throw new SmokeCheckFailedException(
                $"'id -u' printed '{idOutput.Stdout.Trim()}' (exit {idOutput.ExitCode}), expected {expectedUid}.", idOutput.Output);
        }

        var container = await context.Session.StartAsync("user", new Dictionary<string, string>(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await EntrypointCompletion.WaitAsync(context, container, cancellationToken).ConfigureAwait(false);
        var status = await context.Session.ExecAsync(container, ["cat", "/proc/1/status"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var uidLine = status.Stdout.Split('\n').FirstOrDefault(line => line.StartsWith("Uid:", StringComparison.Ordinal));
        var uids = uidLine?.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList() ?? [];
        if (uids.Count != 4 || uids.Any(uid => uid != expectedUid))
        {
            var logs = await context.Session.TailLogsAsync(container, 20, cancellationToken).ConfigureAwait(false);
            throw new SmokeCheckFailedException(
                $"PID 1 runs with uids '{string.Join(' ', uids)}' (real, effective, saved, filesystem), expected {expectedUid} for all.", logs);
        }
    }
}
