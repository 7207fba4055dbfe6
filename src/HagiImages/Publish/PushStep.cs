namespace HagiImages.Publish;

/// <summary>One reference of a publish run with what is done with it and why.</summary>
/// <param name="Target">The reference.</param>
/// <param name="Action">Push, skip because it is already present, keep a floating tag on a higher release, or keep
/// an immutable tag on the build it already names.</param>
/// <param name="RemoteDigest">Digest the registry served for the tag before the run, or null when it had none.</param>
/// <param name="Reason">Why, in a few words, such as <c>registry has 1.4.0</c>.</param>
public sealed record PushStep(ImageTarget Target, PushAction Action, string? RemoteDigest, string Reason)
{
    /// <summary>One line for the plan printed by a dry run.</summary>
    public override string ToString() => Action switch
    {
        PushAction.Push => $"push  {Target.Reference} ({Reason})",
        PushAction.AlreadyPresent => $"skip  {Target.Reference} ({Reason})",
        _ => $"keep  {Target.Reference} ({Reason})",
    };
}
