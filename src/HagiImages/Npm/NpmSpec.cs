namespace HagiImages.Npm;

/// <summary>
/// The kinds of version spec npm accepts after a package name.
/// </summary>
public enum NpmSpecKind
{
    /// <summary>One exact version, such as <c>1.2.3</c>.</summary>
    Version,

    /// <summary>A range, such as <c>^1.2.0</c> or <c>&gt;=1 &lt;2 || 3.x</c>.</summary>
    Range,

    /// <summary>A dist-tag, such as <c>latest</c> or <c>next</c>.</summary>
    Tag,
}

/// <summary>
/// Classifies version specs the way npm does for a registry package: an exact version first, then a range,
/// and otherwise a dist-tag. Unlike npm, specs that npm reads only in its loose mode (leading zeros, a
/// prerelease without its hyphen) are rejected, and so are URL, path, git and alias specs.
/// </summary>
public static class NpmSpec
{
    // The characters that JavaScript's encodeURIComponent leaves alone; npm rejects a dist-tag with any other.
    private const string TagPunctuation = "-_.!~*'()";

    /// <summary>
    /// Returns why <paramref name="spec"/> is not a valid npm version spec, or null when it is valid.
    /// </summary>
    public static string? FindProblem(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var trimmed = spec.Trim();
        if (trimmed.Length == 0)
        {
            return "empty";
        }

        if (TryParseExact(trimmed, out _) || NpmRange.IsValid(trimmed))
        {
            return null;
        }

        var strictProblem = NpmRange.FindProblem(trimmed);
        if (NpmRange.FindProblem(trimmed, loose: true) is null)
        {
            return $"npm reads it only in its loose mode: {strictProblem}";
        }

        if (trimmed.Contains(':', StringComparison.Ordinal) || trimmed.Contains('/', StringComparison.Ordinal) || trimmed.Contains('\\', StringComparison.Ordinal))
        {
            return "a URL, path, git or alias spec; only a version, a range or a dist-tag of a registry package is supported";
        }

        if (trimmed.Any(character => "<>=^|".Contains(character, StringComparison.Ordinal) || char.IsWhiteSpace(character)))
        {
            return $"invalid range: {strictProblem}";
        }

        var badCharacter = trimmed.FirstOrDefault(character => !char.IsAsciiLetterOrDigit(character) && !TagPunctuation.Contains(character, StringComparison.Ordinal));
        if (badCharacter != default)
        {
            return $"a dist-tag may contain only letters, digits and {TagPunctuation}, not '{badCharacter}'";
        }

        return null;
    }

    /// <summary>
    /// Classifies a valid spec.
    /// </summary>
    /// <exception cref="ArgumentException">The spec is invalid; <see cref="FindProblem"/> gives the reason.</exception>
    public static NpmSpecKind Classify(string spec)
    {
        var problem = FindProblem(spec);
        if (problem is not null)
        {
            throw new ArgumentException($"'{spec}' is not a valid npm version spec: {problem}.", nameof(spec));
        }

        var trimmed = spec.Trim();
        if (TryParseExact(trimmed, out _))
        {
            return NpmSpecKind.Version;
        }

        return NpmRange.IsValid(trimmed) ? NpmSpecKind.Range : NpmSpecKind.Tag;
    }

    /// <summary>
    /// Returns the normalized exact version of a <see cref="NpmSpecKind.Version"/> spec, such as <c>1.2.3</c> for
    /// <c>v1.2.3</c> or <c>=1.2.3</c>, or null for the other kinds.
    /// </summary>
    public static string? ExactVersion(string spec) =>
        TryParseExact(spec.Trim(), out var version) ? version : null;

    // npm classifies specs with its loose parser, which also takes "=" before an exact version; it looks the
    // version up without build metadata.
    private static bool TryParseExact(string trimmed, out string? version)
    {
        var text = trimmed.StartsWith('=') ? trimmed[1..] : trimmed;
        version = NpmVersion.TryParse(text, out var parsed) ? parsed.WithoutMetadata().ToString() : null;
        return version is not null;
    }
}
