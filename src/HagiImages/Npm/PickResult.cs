namespace HagiImages.Npm;

/// <summary>The version <see cref="VersionPicker"/> chose and why.</summary>
public sealed record PickResult
{
    public required string Package { get; init; }

    /// <summary>The spec that was resolved, such as <c>latest</c> or <c>^1.2.0</c>.</summary>
    public required string Spec { get; init; }

    public required NpmPackageVersion Chosen { get; init; }

    /// <summary>Publish time of the chosen version; null when the registry does not report it.</summary>
    public DateTimeOffset? Published { get; init; }

    /// <summary>Why this version was chosen, such as <c>dist-tag 'latest'</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>The newest version that matched the spec but was skipped by a policy, or null when none was.</summary>
    public HeldBackVersion? HeldBack { get; init; }

    /// <summary>Things to tell the user that do not stop the pick, such as a deprecation.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public string Version => Chosen.Version;
}

/// <summary>A version newer than the chosen one that a policy skipped.</summary>
/// <param name="Version">The skipped version.</param>
/// <param name="Until">When the minimum release age lets it through; null when another policy skipped it.</param>
/// <param name="Reason">Why it was skipped, such as <c>published 2026-01-02, under the minimum release age of 3 days</c>.</param>
public sealed record HeldBackVersion(string Version, DateTimeOffset? Until, string Reason);
