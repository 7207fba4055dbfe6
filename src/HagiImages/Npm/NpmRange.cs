using System.Diagnostics.CodeAnalysis;
using Semver;

namespace HagiImages.Npm;

/// <summary>
/// An npm version range: comparators (<c>&gt;=1.2.0 &lt;2</c>), caret (<c>^1.2</c>), tilde (<c>~1.2.3</c>),
/// x-ranges (<c>1.x</c>, <c>*</c>), hyphen ranges (<c>1.2 - 2</c>) and alternatives joined by <c>||</c>.
/// Matching follows npm: a prerelease version matches only when a comparator of the same alternative names a
/// prerelease of the same major.minor.patch, unless prereleases are included.
/// </summary>
/// <remarks>
/// Semver's <see cref="SemVersionRange.ParseNpm(string, bool, int)"/> evaluates the range after this class has
/// checked the grammar and rewritten the range where Semver 3.0.0 and node-semver (7.8.5, compared case by case)
/// differ: numbers above 2^53-1
/// are invalid, a hyphen range that includes prereleases also includes those of its lower bound, and an
/// alternative that matches everything makes the whole range behave as <c>*</c>.
/// </remarks>
public sealed class NpmRange
{
    private readonly IReadOnlyList<NpmComparatorSet> _sets;
    private readonly Lazy<SemVersionRange> _releasesOnly;
    private readonly Lazy<SemVersionRange> _withPrereleases;

    private NpmRange(string text, IReadOnlyList<NpmComparatorSet> sets)
    {
        Text = text;
        _sets = sets;
        _releasesOnly = new Lazy<SemVersionRange>(() => SemVersionRange.ParseNpm(ToCanonical(includePrerelease: false), false, NpmRangeSyntax.MaxLength * 2));
        _withPrereleases = new Lazy<SemVersionRange>(() => SemVersionRange.ParseNpm(ToCanonical(includePrerelease: true), true, NpmRangeSyntax.MaxLength * 2));
    }

    /// <summary>The range as written.</summary>
    public string Text { get; }

    /// <summary>Returns whether <paramref name="range"/> is a valid npm range; an exact version is a valid range too.</summary>
    public static bool IsValid(string? range) => TryParse(range, out _);

    /// <summary>
    /// Returns whether <paramref name="version"/> satisfies <paramref name="range"/>. As in npm, an invalid
    /// version or range satisfies nothing.
    /// </summary>
    /// <param name="version">An exact version such as <c>1.2.3</c>.</param>
    /// <param name="range">An npm range such as <c>^1.2.0</c>.</param>
    /// <param name="includePrerelease">Lets prerelease versions match any comparator whose bounds contain them.</param>
    public static bool Satisfies(string version, string range, bool includePrerelease = false) =>
        NpmVersion.TryParse(version, out var parsedVersion)
        && TryParse(range, out var parsedRange)
        && parsedRange.IsSatisfiedBy(parsedVersion, includePrerelease);

    /// <summary>Parses a range.</summary>
    /// <exception cref="FormatException">The range is invalid; the message gives the reason.</exception>
    public static NpmRange Parse(string range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var sets = NpmRangeSyntax.Parse(range.Trim(), loose: false, out var problem);
        return sets is null
            ? throw new FormatException($"'{range}' is not a valid npm range: {problem}.")
            : new NpmRange(range, sets);
    }

    /// <summary>Parses a range, or returns false when it is invalid.</summary>
    public static bool TryParse(string? range, [NotNullWhen(true)] out NpmRange? result)
    {
        result = null;
        if (range is null)
        {
            return false;
        }

        var sets = NpmRangeSyntax.Parse(range.Trim(), loose: false, out _);
        if (sets is null)
        {
            return false;
        }

        result = new NpmRange(range, sets);
        return true;
    }

    /// <summary>Returns why <paramref name="range"/> is invalid, or null when it is valid.</summary>
    internal static string? FindProblem(string range, bool loose = false)
    {
        NpmRangeSyntax.Parse(range.Trim(), loose, out var problem);
        return problem;
    }

    /// <summary>Returns whether <paramref name="version"/> is in this range.</summary>
    /// <param name="version">The version to test.</param>
    /// <param name="includePrerelease">Lets prerelease versions match any comparator whose bounds contain them.</param>
    public bool IsSatisfiedBy(SemVersion version, bool includePrerelease = false)
    {
        ArgumentNullException.ThrowIfNull(version);
        return (includePrerelease ? _withPrereleases : _releasesOnly).Value.Contains(version);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private string ToCanonical(bool includePrerelease)
    {
        // node-semver reduces a range with an alternative that matches everything to that alternative alone,
        // so "^1.2.3-beta || *" matches no prerelease unless prereleases are included.
        if (_sets.Any(set => set.IsAny))
        {
            return "*";
        }

        return string.Join(" || ", _sets.Select(set => RenderSet(set, includePrerelease)));
    }

    private static string RenderSet(NpmComparatorSet set, bool includePrerelease)
    {
        if (set.HyphenFrom is not { } from || set.HyphenTo is not { } to)
        {
            return string.Join(' ', set.Comparators.Select(comparator => comparator.Operator + comparator.Version.ToCanonical()));
        }

        var bounds = new List<string>();
        if (!from.IsAny)
        {
            // With prereleases included, node-semver widens "1.2.3 - 2" to ">=1.2.3-0", so that the prereleases
            // of the lower bound match too.
            var lower = from.IsFull && from.Prerelease.Length == 0 && includePrerelease ? $"{from.ToCanonical()}-0" : from.ToCanonical();
            bounds.Add($">={lower}");
        }

        if (!to.IsAny)
        {
            bounds.Add($"<={to.ToCanonical()}");
        }

        return string.Join(' ', bounds);
    }
}
