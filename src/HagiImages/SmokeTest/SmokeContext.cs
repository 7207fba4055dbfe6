using HagiImages.Manifest;
using HagiImages.Resolve;
using Serilog;

namespace HagiImages.SmokeTest;

/// <summary>What a check sees: the image's manifest and lock, and the session that owns its containers.</summary>
public sealed record SmokeContext(ImageManifest Manifest, ImageLock Lock, SmokeSession Session, ILogger Logger)
{
    /// <summary>Secret values of the build that must not appear in the image.</summary>
    public BuildSecrets Secrets { get; init; } = BuildSecrets.None;
}
