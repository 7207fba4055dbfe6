namespace HagiImages.Publish;

/// <summary>What publishing does with one reference.</summary>
public enum PushAction
{
    /// <summary>Tag and push the image, then check the registry's digest.</summary>
    Push,

    /// <summary>The registry already serves this image under the tag, so nothing is sent.</summary>
    AlreadyPresent,

    /// <summary>A floating tag stays where it is, because the registry has a higher release in its range.</summary>
    KeepHigher,

    /// <summary>
    /// An immutable tag other than the version tag (<c>sha-…</c> or the CLI tag) already names another build, such
    /// as the same revision published under another version; it is not moved.
    /// </summary>
    KeepImmutable,
}
