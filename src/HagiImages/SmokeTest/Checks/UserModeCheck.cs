using HagiImages.Render;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// With <c>docker run --user</c>, the entrypoint runs the command as that user when the state folders are writable,
/// and exits non-zero naming the folder when a state volume is not writable by that user.
/// </summary>
public sealed class UserModeCheck : ISmokeCheck
{
    private const string OtherUser = "4321:4321";

    public string Name => "user-mode";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var imageUser = $"{context.Manifest.User.Uid}:{context.Manifest.User.Gid}";
        var expectedUid = context.Manifest.User.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var own = await context.Session.RunAsync(["id", "-u"], user: imageUser, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (own.ExitCode != 0 || own.Stdout.Trim() != expectedUid)
        {
            throw new SmokeCheckFailedException($"With --user {imageUser}, 'id -u' exited with code {own.ExitCode} and printed '{own.Stdout.Trim()}', expected {expectedUid}.", own.Output);
        }

        var mounts = StateMount.ForImage(context.Manifest);
        if (mounts.Count == 0)
        {
            return;
        }

        // A new volume takes the owner of the image's folder (the image user), so another user cannot write it.
        var mount = mounts[0];
        var volume = await context.Session.CreateVolumeAsync($"user-{mount.Volume}", cancellationToken).ConfigureAwait(false);
        var other = await context.Session.RunAsync(
            ["echo", "hagi-smoke-command-ran"],
            user: OtherUser,
            volumeMounts: new Dictionary<string, string> { [volume] = mount.Mount },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (other.ExitCode == 0)
        {
            throw new SmokeCheckFailedException($"With --user {OtherUser} and volume {volume} at {mount.Mount}, the container exited with code 0; expected a non-zero exit because the user cannot write there.", other.Output);
        }

        if (!other.Stderr.Contains($"state folder {mount.Mount} ", StringComparison.Ordinal) || !other.Stderr.Contains("is not writable", StringComparison.Ordinal))
        {
            throw new SmokeCheckFailedException($"With --user {OtherUser}, the error does not name the unwritable state folder {mount.Mount}.", other.Output);
        }
    }
}
