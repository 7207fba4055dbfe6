using HagiImages.Manifest;
using HagiImages.Render;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// Files the CLIs write into their state paths survive <c>docker restart</c> and a remove-and-recreate of the
/// container on the same named volumes, and belong to the image user.
/// </summary>
public sealed class StatePersistenceCheck : ISmokeCheck
{
    private const string MarkerName = ".hagi-smoke-marker";

    public string Name => "state-persists";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var mounts = StateMount.ForImage(context.Manifest);
        if (mounts.Count == 0)
        {
            return;
        }

        var binds = new Dictionary<string, string>();
        foreach (var mount in mounts)
        {
            binds[await context.Session.CreateVolumeAsync(mount.Volume, cancellationToken).ConfigureAwait(false)] = mount.Mount;
        }

        var user = $"{context.Manifest.User.Uid}:{context.Manifest.User.Gid}";
        var marker = context.Session.RunId;
        var first = await context.Session.StartAsync("state-1", binds, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var mount in mounts)
        {
            var path = MarkerPath(mount);
            var write = await context.Session.ExecAsync(first, ["sh", "-c", $"printf %s {marker} > {path}"], user, cancellationToken).ConfigureAwait(false);
            if (write.ExitCode != 0)
            {
                throw new SmokeCheckFailedException($"The image user could not write {path} (exit {write.ExitCode}): {write.Output}");
            }
        }

        await context.Session.RestartAsync(first, cancellationToken).ConfigureAwait(false);
        await ExpectMarkersAsync(context, first, mounts, marker, "after docker restart", cancellationToken).ConfigureAwait(false);

        await context.Session.RemoveContainerAsync(first).ConfigureAwait(false);
        var second = await context.Session.StartAsync("state-2", binds, cancellationToken: cancellationToken).ConfigureAwait(false);
        await ExpectMarkersAsync(context, second, mounts, marker, "after the container was removed and created again", cancellationToken).ConfigureAwait(false);
    }

    // A file state path is written through its link in the home folder, as the CLI writes it.
    private static string MarkerPath(StateMount mount) => mount.Kind == StatePathKind.File ? mount.Link! : $"{mount.Mount}/{MarkerName}";

    private static async Task ExpectMarkersAsync(SmokeContext context, string container, IReadOnlyList<StateMount> mounts, string marker, string when, CancellationToken cancellationToken)
    {
        var expectedOwner = $"{context.Manifest.User.Uid}:{context.Manifest.User.Gid}";
        foreach (var mount in mounts)
        {
            var path = MarkerPath(mount);
            var read = await context.Session.ExecAsync(container, ["sh", "-c", $"cat {path} && printf ' ' && stat -L -c %u:%g {path}"], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (read.ExitCode != 0 || read.Stdout.Trim() != $"{marker} {expectedOwner}")
            {
                var logs = await context.Session.TailLogsAsync(container, 20, cancellationToken).ConfigureAwait(false);
                throw new SmokeCheckFailedException(
                    $"{path} of CLI '{mount.CliId}' (volume {mount.Volume}) {when}: expected marker '{marker}' owned by {expectedOwner}, found '{read.Output}'.", logs);
            }
        }
    }
}
