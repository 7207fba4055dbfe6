using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Semver;

namespace HagiImages.Npm;

/// <summary>
/// Parses and orders exact versions by the rules of npm's <c>semver</c> package in its default (strict) mode.
/// </summary>
public static class NpmVersion
{
    /// <summary>The largest number npm accepts in a major, minor or patch part: 2^53-1, JavaScript's largest safe integer.</summary>
    public static readonly BigInteger MaxSafeInteger = 9_007_199_254_740_991;

    /// <summary>The longest version string npm parses.</summary>
    public const int MaxLength = 256;

    /// <summary>Orders versions by SemVer 2.0 precedence; build metadata is ignored.</summary>
    public static IComparer<SemVersion> PrecedenceComparer => SemVersion.PrecedenceComparer;

    /// <summary>
    /// Parses an exact version such as <c>1.2.3</c>, <c>v1.2.3</c> or <c>1.0.0-rc.1+build.5</c>. Surrounding
    /// whitespace is ignored as npm ignores it.
    /// </summary>
    /// <returns>False when the text is not a version npm accepts, including numbers above <see cref="MaxSafeInteger"/>.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SemVersion? version)
    {
        version = null;
        if (text is null)
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Length > MaxLength)
        {
            return false;
        }

        if (trimmed.StartsWith('v'))
        {
            trimmed = trimmed[1..];
        }

        if (!SemVersion.TryParse(trimmed, SemVersionStyles.Strict, out var parsed) || !HasSafeNumbers(parsed))
        {
            return false;
        }

        version = parsed;
        return true;
    }

    /// <summary>Returns whether <paramref name="text"/> is an exact version npm accepts.</summary>
    public static bool IsValid(string? text) => TryParse(text, out _);

    /// <summary>Parses an exact version.</summary>
    /// <exception cref="FormatException">The text is not a version npm accepts.</exception>
    public static SemVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a valid npm version.");

    /// <summary>
    /// Compares two versions by SemVer 2.0 precedence: numbers numerically, prerelease identifiers numerically
    /// when both are digits and otherwise by ordinal (ASCII) comparison, and a release after its prereleases.
    /// </summary>
    public static int Compare(SemVersion left, SemVersion right) => SemVersion.ComparePrecedence(left, right);

    private static bool HasSafeNumbers(SemVersion version) =>
        version.Major <= MaxSafeInteger && version.Minor <= MaxSafeInteger && version.Patch <= MaxSafeInteger;
}
