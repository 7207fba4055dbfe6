using System.Numerics;
using System.Text.RegularExpressions;

namespace HagiImages.Npm;

/// <summary>One comparator of a range, such as <c>&gt;=1.2.0</c>, <c>^1.2</c> or the bare partial <c>1.x</c>.</summary>
/// <param name="Operator">One of <c>""</c>, <c>=</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&gt;=</c>, <c>~</c> or <c>^</c>.</param>
/// <param name="Version">The version or partial version after the operator.</param>
internal sealed record NpmComparator(string Operator, NpmPartialVersion Version)
{
    /// <summary>True when the comparator matches every version, as <c>*</c>, <c>&gt;=x</c> and <c>^*</c> do.</summary>
    public bool IsAny => Version.IsAny && Operator is not ("<" or ">");
}

/// <summary>
/// One alternative of a range (the text between <c>||</c>): comparators that must all match, or a hyphen range.
/// </summary>
internal sealed record NpmComparatorSet(IReadOnlyList<NpmComparator> Comparators, NpmPartialVersion? HyphenFrom, NpmPartialVersion? HyphenTo)
{
    /// <summary>True when the set matches every version: it is empty or all its comparators match everything.</summary>
    public bool IsAny => HyphenFrom is not null
        ? HyphenFrom.IsAny && HyphenTo!.IsAny
        : Comparators.All(comparator => comparator.IsAny);
}

/// <summary>
/// Parses npm's range grammar into comparator sets. The grammar is the one node-semver documents:
/// alternatives joined by <c>||</c>; each alternative empty, a hyphen range <c>A - B</c>, or comparators
/// separated by whitespace; a comparator is an optional operator (<c>&lt; &gt; &lt;= &gt;= = ~ ~&gt; ^</c>),
/// optional whitespace, an optional <c>v</c>, and a partial version of one to three parts, each a number or a
/// wildcard, with prerelease and build after a third part.
/// </summary>
/// <remarks>
/// node-semver also accepts some text outside that grammar (for example <c>+b</c> alone, which it reads as
/// <c>*</c>); this parser rejects it, so a manifest never depends on such a quirk.
/// </remarks>
internal static partial class NpmRangeSyntax
{
    /// <summary>The longest range text accepted.</summary>
    public const int MaxLength = 2048;

    private static readonly string[] Operators = ["~>", "~", "^", ">=", "<=", ">", "<", "="];

    /// <summary>
    /// Parses <paramref name="range"/>. With <paramref name="loose"/>, numbers with leading zeros and a
    /// prerelease without its hyphen (<c>1.2.3beta</c>) are accepted, as in npm's loose mode.
    /// </summary>
    /// <returns>The comparator sets, or null with <paramref name="problem"/> set to a short reason.</returns>
    public static IReadOnlyList<NpmComparatorSet>? Parse(string range, bool loose, out string? problem)
    {
        problem = null;
        if (range.Length > MaxLength)
        {
            problem = $"longer than {MaxLength} characters";
            return null;
        }

        var sets = new List<NpmComparatorSet>();
        foreach (var alternative in range.Split("||"))
        {
            var set = ParseSet(alternative.Trim(), loose, out problem);
            if (set is null)
            {
                return null;
            }

            sets.Add(set);
        }

        return sets;
    }

    private static NpmComparatorSet? ParseSet(string text, bool loose, out string? problem)
    {
        problem = null;
        if (text.Length == 0)
        {
            return new NpmComparatorSet([], null, null);
        }

        var hyphen = HyphenRange().Match(text);
        if (hyphen.Success)
        {
            var from = ParsePartial(StripPrefix(hyphen.Groups["from"].Value), loose, out problem);
            var to = from is null ? null : ParsePartial(StripPrefix(hyphen.Groups["to"].Value), loose, out problem);
            return to is null ? null : new NpmComparatorSet([], from, to);
        }

        var comparators = new List<NpmComparator>();
        var joined = SpaceAfterOperator().Replace(text, "$1");
        foreach (var token in Whitespace().Split(joined))
        {
            var comparator = ParseComparator(token, loose, out problem);
            if (comparator is null)
            {
                return null;
            }

            comparators.Add(comparator);
        }

        return new NpmComparatorSet(comparators, null, null);
    }

    private static NpmComparator? ParseComparator(string token, bool loose, out string? problem)
    {
        var op = Operators.FirstOrDefault(candidate => token.StartsWith(candidate, StringComparison.Ordinal)) ?? "";
        var version = ParsePartial(StripPrefix(token[op.Length..]), loose, out problem);
        if (version is null)
        {
            problem = $"'{token}': {problem}";
            return null;
        }

        return new NpmComparator(op == "~>" ? "~" : op, version);
    }

    private static string StripPrefix(string text) => text.StartsWith('v') ? text[1..] : text;

    private static NpmPartialVersion? ParsePartial(string text, bool loose, out string? problem)
    {
        problem = null;
        var match = (loose ? LoosePartial() : Partial()).Match(text);
        if (!match.Success)
        {
            problem = text.Length == 0 ? "a version is missing" : $"'{text}' is not a version or partial version";
            return null;
        }

        var parts = new List<string>();
        foreach (var name in new[] { "major", "minor", "patch" })
        {
            var group = match.Groups[name];
            if (!group.Success)
            {
                break;
            }

            var part = group.Value;
            if (part is "x" or "X" or "*")
            {
                parts.Add(NpmPartialVersion.Wildcard);
                continue;
            }

            if (parts.Contains(NpmPartialVersion.Wildcard))
            {
                problem = $"'{text}' has a number after a wildcard";
                return null;
            }

            if (!loose && part.Length > 1 && part[0] == '0')
            {
                problem = $"'{part}' has a leading zero";
                return null;
            }

            var number = BigInteger.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
            if (number > NpmVersion.MaxSafeInteger)
            {
                problem = $"{part} is larger than {NpmVersion.MaxSafeInteger}, the largest number npm accepts";
                return null;
            }

            parts.Add(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var prerelease = match.Groups["pre"].Value;
        problem = FindIdentifierProblem(prerelease, numericWithoutLeadingZero: !loose, "prerelease")
            ?? FindIdentifierProblem(match.Groups["build"].Value, numericWithoutLeadingZero: false, "build metadata");
        return problem is null ? new NpmPartialVersion(parts, prerelease) : null;
    }

    private static string? FindIdentifierProblem(string identifiers, bool numericWithoutLeadingZero, string what)
    {
        if (identifiers.Length == 0)
        {
            return null;
        }

        foreach (var identifier in identifiers.Split('.'))
        {
            if (identifier.Length == 0)
            {
                return $"{what} '{identifiers}' has an empty identifier";
            }

            if (numericWithoutLeadingZero && identifier.Length > 1 && identifier[0] == '0' && identifier.All(char.IsAsciiDigit))
            {
                return $"{what} identifier '{identifier}' has a leading zero";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<from>\S+)\s+-\s+(?<to>\S+)$")]
    private static partial Regex HyphenRange();

    [GeneratedRegex(@"(~>|~|\^|>=|<=|>|<|=)\s+")]
    private static partial Regex SpaceAfterOperator();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^(?<major>[0-9]+|[xX*])(?:\.(?<minor>[0-9]+|[xX*])(?:\.(?<patch>[0-9]+|[xX*])(?:-(?<pre>[0-9A-Za-z.-]+))?(?:\+(?<build>[0-9A-Za-z.-]+))?)?)?$")]
    private static partial Regex Partial();

    [GeneratedRegex(@"^(?<major>[0-9]+|[xX*])(?:\.(?<minor>[0-9]+|[xX*])(?:\.(?<patch>[0-9]+|[xX*])(?:-?(?<pre>[0-9A-Za-z.-]+))?(?:\+(?<build>[0-9A-Za-z.-]+))?)?)?$")]
    private static partial Regex LoosePartial();
}
