using System.Globalization;
using HagiImages.Manifest;
using HagiImages.Render;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// With <c>PUID</c>/<c>PGID</c> 1001, the command runs as 1001 and the files it creates on the state volumes belong
/// to 1001:1001. A new container with 1002 on the same volumes re-owns those files, so the new user can write them.
/// </summary>
public sealed class PuidRemapCheck : ISmokeCheck
{
    private const int FirstId = 1001;
    private const int SecondId = 1002;
    private const string MarkerName = ".hagi-smoke-remap";

    public string Name => "puid-remap";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var mounts = StateMount.ForImage(context.Manifest);
        var binds = new Dictionary<string, string>();
        foreach (var mount in mounts)
        {
            binds[await context.Session.CreateVolumeAsync($"remap-{mount.Volume}", cancellationToken).ConfigureAwait(false)] = mount.Mount;
        }

        var first = await StartAsync(context, "remap-1", binds, FirstId, cancellationToken).ConfigureAwait(false);
        await ExpectMainProcessUidAsync(context, first, FirstId, cancellationToken).ConfigureAwait(false);
        foreach (var mount in mounts)
        {
            var path = MarkerPath(mount);
            var write = await context.Session.ExecAsync(first, ["sh", "-c", $"printf %s remap > {path}"], $"{FirstId}:{FirstId}", cancellationToken).ConfigureAwait(false);
            if (write.ExitCode != 0)
            {
                throw new SmokeCheckFailedException($"User {FirstId}:{FirstId} (from PUID/PGID) could not write {path} (exit {write.ExitCode}): {write.Output}");
            }
        }

        await ExpectOwnerAsync(context, first, mounts, FirstId, "after start with PUID=1001", cancellationToken).ConfigureAwait(false);

        await context.Session.RemoveContainerAsync(first).ConfigureAwait(false);
        var second = await StartAsync(context, "remap-2", binds, SecondId, cancellationToken).ConfigureAwait(false);
        await ExpectMainProcessUidAsync(context, second, SecondId, cancellationToken).ConfigureAwait(false);
        await ExpectOwnerAsync(context, second, mounts, SecondId, "after re-creation on the same volumes with PUID=1002", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> StartAsync(SmokeContext context, string name, IReadOnlyDictionary<string, string> binds, int id, CancellationToken cancellationToken)
    {
        var value = id.ToString(CultureInfo.InvariantCulture);
        var container = await context.Session.StartAsync(name, binds, [$"PUID={value}", $"PGID={value}"], cancellationToken: cancellationToken).ConfigureAwait(false);
        await EntrypointCompletion.WaitAsync(context, container, cancellationToken).ConfigureAwait(false);
        return container;
    }

    private static string MarkerPath(StateMount mount) => mount.Kind == StatePathKind.File ? mount.Link! : $"{mount.Mount}/{MarkerName}";

    private static async Task ExpectMainProcessUidAsync(SmokeContext context, string container, int id, CancellationToken cancellationToken)
    {
        var status = await context.Session.ExecAsync(container, ["stat", "-c", "%u:%g", "/proc/1"], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (status.Stdout.Trim() != $"{id}:{id}")
        {
            var logs = await context.Session.TailLogsAsync(container, 20, cancellationToken).ConfigureAwait(false);
            throw new SmokeCheckFailedException($"PID 1 runs as '{status.Output}', expected {id}:{id} from PUID/PGID.", logs);
        }
    }

    private static async Task ExpectOwnerAsync(SmokeContext context, string container, IReadOnlyList<StateMount> mounts, int id, string when, CancellationToken cancellationToken)
    {
        var expected = $"{id}:{id}";
        foreach (var mount in mounts)
        {
            var path = MarkerPath(mount);
            var stat = await context.Session.ExecAsync(container, ["stat", "-L", "-c", "%u:%g", mount.Mount, path], cancellationToken: cancellationToken).ConfigureAwait(false);
            var owners = stat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (stat.ExitCode != 0 || owners.Length != 2 || owners.Any(owner => owner != expected))
            {
                var logs = await context.Session.TailLogsAsync(container, 20, cancellationToken).ConfigureAwait(false);
                throw new SmokeCheckFailedException(
                    $"{mount.Mount} and {path} (volume {mount.Volume}) {when}: expected owner {expected}, found '{stat.Output.ReplaceLineEndings(" ")}'.", logs);
            }
        }
    }
}
