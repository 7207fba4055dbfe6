using HagiImages.Manifest;
using Semver;

namespace HagiImages.Npm;

/// <summary>The rules a picked version must pass besides matching the spec.</summary>
public sealed record PickPolicy
{
    /// <summary>Versions published less than this long ago are held back.</summary>
    public TimeSpan MinimumReleaseAge { get; init; } = TimeSpan.FromDays(3);

    /// <summary>What to do with a version whose publish time the registry does not report.</summary>
    public MissingPublishTime MissingPublishTime { get; init; } = MissingPublishTime.Hold;

    /// <summary>The image's Node version, which each version's <c>engines.node</c> must accept; null skips the check.</summary>
    public SemVersion? NodeVersion { get; init; }

    /// <summary>Builds the policy of a manifest's release policy, with the CLI's own policy winning when given.</summary>
    public static PickPolicy From(ReleasePolicy imagePolicy, ReleasePolicy? cliPolicy, SemVersion? nodeVersion)
    {
        ArgumentNullException.ThrowIfNull(imagePolicy);
        var policy = cliPolicy ?? imagePolicy;
        return new PickPolicy
        {
            MinimumReleaseAge = TimeSpan.FromDays(policy.MinimumReleaseAgeDays),
            MissingPublishTime = policy.MissingPublishTime,
            NodeVersion = nodeVersion,
        };
    }
}
