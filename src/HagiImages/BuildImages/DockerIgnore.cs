using System.Text;
using System.Text.RegularExpressions;

namespace HagiImages.BuildImages;

/// <summary>
/// The patterns of a <c>.dockerignore</c> file: <c>*</c>, <c>?</c>, <c>[...]</c> and <c>**</c> wildcards, <c>#</c>
/// comments and <c>!</c> exceptions. As in the Docker CLI, the last matching pattern decides, and a pattern that
/// matches a directory also matches everything below it.
/// </summary>
public sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Pattern, bool Exclude)> rules;

    private DockerIgnore(IReadOnlyList<(Regex Pattern, bool Exclude)> rules) => this.rules = rules;

    /// <summary>A rule set that excludes nothing.</summary>
    public static DockerIgnore Empty { get; } = new([]);

    /// <summary>Parses the content of a <c>.dockerignore</c> file.</summary>
    public static DockerIgnore Parse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var rules = new List<(Regex, bool)>();
        foreach (var rawLine in content.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclude = true;
            if (line.StartsWith('!'))
            {
                exclude = false;
                line = line[1..].Trim();
            }

            var cleaned = Clean(line);
            if (cleaned.Length == 0)
            {
                continue;
            }

            rules.Add((new Regex(ToRegex(cleaned), RegexOptions.CultureInvariant), exclude));
        }

        return new DockerIgnore(rules);
    }

    /// <summary>
    /// Returns whether the context-relative path (forward slashes, no leading slash) is excluded.
    /// </summary>
    public bool IsExcluded(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = Clean(relativePath);
        var excluded = false;
        foreach (var (pattern, exclude) in rules)
        {
            if (MatchesSelfOrParent(pattern, path))
            {
                excluded = exclude;
            }
        }

        return excluded;
    }

    private static bool MatchesSelfOrParent(Regex pattern, string path)
    {
        if (pattern.IsMatch(path))
        {
            return true;
        }

        for (var index = path.LastIndexOf('/'); index > 0; index = path.LastIndexOf('/', index - 1))
        {
            if (pattern.IsMatch(path[..index]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Normalizes separators and removes leading <c>/</c>, <c>./</c> and trailing <c>/</c>.</summary>
    private static string Clean(string path)
    {
        var segments = path.Replace('\\', '/')
            .Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(segment => segment != ".");
        return string.Join('/', segments);
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var index = 0; index < pattern.Length; index++)
        {
            var character = pattern[index];
            switch (character)
            {
                case '*' when index + 1 < pattern.Length && pattern[index + 1] == '*':
                    index++;
                    if (index + 1 < pattern.Length && pattern[index + 1] == '/')
                    {
                        // "**/" matches zero or more whole directories.
                        index++;
                        regex.Append("(?:.*/)?");
                    }
                    else
                    {
                        regex.Append(".*");
                    }

                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    var close = pattern.IndexOf(']', index + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    var set = pattern[(index + 1)..close];
                    if (set.StartsWith('!') || set.StartsWith('^'))
                    {
                        set = "^" + set[1..];
                    }

                    regex.Append('[').Append(set.Replace(@"\", @"\\")).Append(']');
                    index = close;
                    break;
                case '\\' when index + 1 < pattern.Length:
                    index++;
                    regex.Append(Regex.Escape(pattern[index].ToString()));
                    break;
                default:
                    regex.Append(Regex.Escape(character.ToString()));
                    break;
            }
        }

        return regex.Append('$').ToString();
    }
}
