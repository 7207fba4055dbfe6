using System.Globalization;
using HagiImages.Manifest;
using HagiImages.Pipeline;

namespace HagiImages.Npm;

/// <summary>
/// Picks the version of a package for a spec the way npm does, plus the image policies: a minimum release age,
/// the handling of versions without publish time, and <c>engines.node</c> against the image's Node version.
/// </summary>
/// <remarks>
/// An exact version is taken when it is published; a deprecated, too new or undated one only adds a warning,
/// because a person chose it. A dist-tag gives its version; when that version fails a policy, the newest
/// version <c>&lt;=</c> it that passes is taken. For a range, the <c>latest</c> dist-tag wins when it is in the
/// range, passes the policies and is not deprecated; otherwise the newest passing version is taken, preferring
/// versions that are not deprecated. A version whose <c>engines.node</c> rejects the image's Node is never taken.
/// </remarks>
public sealed class VersionPicker
{
    private const string LatestTag = "latest";

    private readonly TimeProvider _timeProvider;

    public VersionPicker(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Picks the version of <paramref name="document"/> for <paramref name="spec"/>.
    /// </summary>
    /// <exception cref="PipelineException">The spec is invalid, names a version or dist-tag that does not exist,
    /// or no version passes the policies; the message names the package, the spec and the registry.</exception>
    public PickResult Pick(NpmPackageDocument document, string spec, PickPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(policy);
        var problem = NpmSpec.FindProblem(spec);
        if (problem is not null)
        {
            throw new PipelineException($"Version spec '{spec}' of package '{document.Name}' is invalid ({problem}). Use an exact version, a range such as '^1.2.0', or a dist-tag such as 'latest'.");
        }

        var now = _timeProvider.GetUtcNow();
        return NpmSpec.Classify(spec) switch
        {
            NpmSpecKind.Version => PickExact(document, spec, NpmSpec.ExactVersion(spec)!, policy, now),
            NpmSpecKind.Tag => PickTag(document, spec.Trim(), policy, now),
            _ => PickRange(document, spec, NpmRange.Parse(spec), policy, now),
        };
    }

    private static PickResult PickExact(NpmPackageDocument document, string spec, string version, PickPolicy policy, DateTimeOffset now)
    {
        if (!document.Versions.TryGetValue(version, out var chosen))
        {
            var newest = document.Versions.Values.Select(candidate => candidate.SemVersion).Max(NpmVersion.PrecedenceComparer);
            throw new PipelineException(
                $"Version {version} of package '{document.Name}' is not published on registry {document.Registry}"
                + (newest is null ? " (the package has no versions)." : $"; the newest published version is {newest}.")
                + " Check the version in the manifest or the --to value.");
        }

        var check = Check(document, chosen, policy, now);
        if (check.EngineProblem is not null)
        {
            throw new PipelineException(
                $"Package '{document.Name}' {version} requires Node {check.EngineProblem}, but the image's Node is {policy.NodeVersion}. "
                + "Choose a version that supports this Node, or change node.version in the manifest.");
        }

        if (check.IntegrityProblem is not null)
        {
            throw new PipelineException($"Package '{document.Name}' {version} on registry {document.Registry} {check.IntegrityProblem}, so it cannot be pinned. Choose another version.");
        }

        var warnings = new List<string>();
        AddDeprecation(warnings, document, chosen);
        if (check.AgeProblem is not null)
        {
            warnings.Add($"{document.Name} {version} is pinned by exact version, so the release age policy does not hold it back: {check.AgeProblem}.");
        }

        warnings.AddRange(check.Warnings);
        return Result(document, spec, chosen, "exact version", null, warnings);
    }

    private PickResult PickTag(NpmPackageDocument document, string tag, PickPolicy policy, DateTimeOffset now)
    {
        if (!document.DistTags.TryGetValue(tag, out var tagged))
        {
            var existing = document.DistTags.Count == 0
                ? "it has none"
                : "existing tags: " + string.Join(", ", document.DistTags.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => $"{entry.Key} ({entry.Value})"));
            throw new PipelineException(
                $"Dist-tag '{tag}' of package '{document.Name}' does not exist on registry {document.Registry}; {existing}. Use one of them or a version range in the manifest.");
        }

        if (!document.Versions.TryGetValue(tagged, out var chosen))
        {
            throw new PipelineException(
                $"Dist-tag '{tag}' of package '{document.Name}' on registry {document.Registry} names version '{tagged}', which is not in the package's versions. Pin a version or range in the manifest instead.");
        }

        var check = Check(document, chosen, policy, now);
        if (check.Passes)
        {
            var warnings = new List<string>(check.Warnings);
            AddDeprecation(warnings, document, chosen);
            return Result(document, tag, chosen, $"dist-tag '{tag}'", null, warnings);
        }

        // As npm does with --before, a tag whose version is too new falls back to the newest version <= it.
        var heldBack = new HeldBackVersion(tagged, check.Until, check.Describe());
        var fallback = PickRange(document, tag, NpmRange.Parse($"<={tagged}"), policy, now, tag);
        return fallback with
        {
            Reason = $"dist-tag '{tag}' is {tagged}, which is held back; newest allowed version before it",
            HeldBack = heldBack,
        };
    }

    private PickResult PickRange(NpmPackageDocument document, string spec, NpmRange range, PickPolicy policy, DateTimeOffset now, string? fromTag = null)
    {
        var candidates = document.Versions.Values
            .Where(candidate => range.IsSatisfiedBy(candidate.SemVersion))
            .OrderByDescending(candidate => candidate.SemVersion, NpmVersion.PrecedenceComparer)
            .ToList();
        var what = fromTag is null ? $"range '{spec}'" : $"dist-tag '{fromTag}' or an older version";
        if (candidates.Count == 0)
        {
            throw new PipelineException(
                $"No version of package '{document.Name}' on registry {document.Registry} satisfies {what}. "
                + $"Published dist-tags: {string.Join(", ", document.DistTags.Select(entry => $"{entry.Key} ({entry.Value})"))}. Change the spec in the manifest.");
        }

        var checks = candidates.ToDictionary(candidate => candidate.Version, candidate => Check(document, candidate, policy, now), StringComparer.Ordinal);
        NpmPackageVersion? chosen = null;
        string reason;
        if (document.DistTags.TryGetValue(LatestTag, out var latest)
            && checks.TryGetValue(latest, out var latestCheck) && latestCheck.Passes && document.Versions[latest].Deprecated is null)
        {
            chosen = document.Versions[latest];
            reason = $"dist-tag '{LatestTag}' satisfies {what}";
        }
        else
        {
            chosen = candidates.Where(candidate => checks[candidate.Version].Passes)
                .OrderBy(candidate => candidate.Deprecated is null ? 0 : 1)
                .FirstOrDefault();
            reason = $"newest allowed version in {what}";
        }

        if (chosen is null)
        {
            var failures = candidates.Take(3).Select(candidate => $"{candidate.Version} {checks[candidate.Version].Describe()}");
            throw new PipelineException(
                $"No version of package '{document.Name}' on registry {document.Registry} satisfies {what} and the policies: "
                + string.Join("; ", failures) + (candidates.Count > 3 ? $"; and {candidates.Count - 3} older versions" : "")
                + ". Wait for the release age to pass, lower policy.minimumReleaseAgeDays, or change the spec or node.version in the manifest.");
        }

        var warnings = new List<string>(checks[chosen.Version].Warnings);
        AddDeprecation(warnings, document, chosen);
        var skipped = candidates.FirstOrDefault(candidate =>
            NpmVersion.Compare(candidate.SemVersion, chosen.SemVersion) > 0 && !checks[candidate.Version].Passes);
        var heldBack = skipped is null ? null : new HeldBackVersion(skipped.Version, checks[skipped.Version].Until, checks[skipped.Version].Describe());
        return Result(document, spec, chosen, reason, heldBack, warnings);
    }

    private static PickResult Result(NpmPackageDocument document, string spec, NpmPackageVersion chosen, string reason, HeldBackVersion? heldBack, List<string> warnings) =>
        new()
        {
            Package = document.Name,
            Spec = spec,
            Chosen = chosen,
            Published = document.PublishTimes.TryGetValue(chosen.Version, out var published) ? published : null,
            Reason = reason,
            HeldBack = heldBack,
            Warnings = warnings,
        };

    private static void AddDeprecation(List<string> warnings, NpmPackageDocument document, NpmPackageVersion chosen)
    {
        if (chosen.Deprecated is not null)
        {
            warnings.Add($"{document.Name} {chosen.Version} is deprecated: {chosen.Deprecated}");
        }
    }

    private static PolicyCheck Check(NpmPackageDocument document, NpmPackageVersion candidate, PickPolicy policy, DateTimeOffset now)
    {
        var check = new PolicyCheck();
        if (document.PublishTimes.TryGetValue(candidate.Version, out var published))
        {
            var until = published + policy.MinimumReleaseAge;
            if (until > now)
            {
                check.AgeProblem = $"published {Format(published)}, under the minimum release age of {policy.MinimumReleaseAge.TotalDays:0.##} days";
                check.Until = until;
            }
        }
        else if (policy.MissingPublishTime == MissingPublishTime.Hold)
        {
            check.AgeProblem = "has no publish time in the registry and policy.missingPublishTime is 'hold'";
        }
        else
        {
            check.Warnings.Add($"{document.Name} {candidate.Version} has no publish time in the registry; allowed because policy.missingPublishTime is 'allow-with-warning'.");
        }

        if (policy.NodeVersion is not null && candidate.EnginesNode is { } engines)
        {
            if (!NpmRange.TryParse(engines, out var nodeRange))
            {
                check.EngineProblem = $"'{engines}' (not a valid range)";
            }
            else if (!nodeRange.IsSatisfiedBy(policy.NodeVersion, includePrerelease: true))
            {
                check.EngineProblem = engines;
            }
        }

        if (candidate.Integrity is null)
        {
            check.IntegrityProblem = "has no sha512 integrity";
        }
        else if (candidate.Tarball is null)
        {
            check.IntegrityProblem = "has no tarball URL";
        }

        return check;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The outcome of the policies for one version.</summary>
    private sealed class PolicyCheck
    {
        public string? AgeProblem { get; set; }

        public DateTimeOffset? Until { get; set; }

        public string? EngineProblem { get; set; }

        public string? IntegrityProblem { get; set; }

        public List<string> Warnings { get; } = [];

        public bool Passes => AgeProblem is null && EngineProblem is null && IntegrityProblem is null;

        public string Describe()
        {
            var problems = new List<string>();
            if (AgeProblem is not null)
            {
                problems.Add(Until is { } until ? $"{AgeProblem}, held back until {Format(until)}" : AgeProblem);
            }

            if (EngineProblem is not null)
            {
                problems.Add($"requires Node {EngineProblem}");
            }

            if (IntegrityProblem is not null)
            {
                problems.Add(IntegrityProblem);
            }

            return string.Join(", ", problems);
        }
    }
}
