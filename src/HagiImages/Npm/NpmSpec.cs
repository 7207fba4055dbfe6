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
/// Classifies version specs the way npm does.
/// </summary>
public static class NpmSpec
{
    /// <summary>
    /// Returns why <paramref name="spec"/> is not a valid npm version spec, or null when it is valid.
    /// </summary>
    public static string? FindProblem(string spec)
    {
        // TODO: replaced by the full classifier built on NpmRange.
        return string.IsNullOrWhiteSpace(spec) ? "empty" : null;
    }
}
