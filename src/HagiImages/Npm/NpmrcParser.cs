using System.Text;
using System.Text.RegularExpressions;
using HagiImages.Pipeline;

namespace HagiImages.Npm;

/// <summary>One configuration value and where it was read, such as <c>/repo/.npmrc line 3</c>.</summary>
internal sealed record NpmConfigValue(string Value, string Source);

/// <summary>
/// Reads npm configuration in the ini format of <c>.npmrc</c> files and from <c>npm_config_*</c> environment
/// variables, expanding <c>${NAME}</c> in keys and values as npm does.
/// </summary>
internal static partial class NpmrcParser
{
    private const string EnvironmentPrefix = "npm_config_";

    /// <summary>
    /// Parses the text of an <c>.npmrc</c> file. Lines starting with <c>;</c> or <c>#</c> are comments, an unquoted
    /// value ends at an unescaped <c>;</c> or <c>#</c>, a quoted value keeps its text, a key without <c>=</c>
    /// means <c>true</c>, and keys inside <c>[section]</c> blocks are ignored because npm does not read them as
    /// settings.
    /// </summary>
    /// <exception cref="PipelineException">A key or value names an environment variable that is not set.</exception>
    public static Dictionary<string, NpmConfigValue> ParseFile(string text, string path, IReadOnlyDictionary<string, string> environment)
    {
        var values = new Dictionary<string, NpmConfigValue>(StringComparer.Ordinal);
        var inSection = false;
        var lineNumber = 0;
        foreach (var rawLine in text.ReplaceLineEndings("\n").Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                inSection = true;
                continue;
            }

            if (inSection)
            {
                continue;
            }

            var source = $"{path} line {lineNumber}";
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            var rawKey = separator < 0 ? line : line[..separator].Trim();
            var rawValue = separator < 0 ? "true" : ReadValue(line[(separator + 1)..].Trim());
            if (rawKey.EndsWith("[]", StringComparison.Ordinal))
            {
                rawKey = rawKey[..^2];
            }

            var key = Expand(rawKey, environment, source, rawKey);
            values[key] = new NpmConfigValue(Expand(rawValue, environment, source, key), source);
        }

        return values;
    }

    /// <summary>
    /// Reads settings from <c>npm_config_*</c> variables, ignoring the case of the prefix and skipping empty
    /// values. As in npm, the name after the prefix becomes the key in lower case with <c>_</c> read as
    /// <c>-</c>, except for keys starting with <c>//</c>, which are kept as written.
    /// </summary>
    /// <exception cref="PipelineException">A value names an environment variable that is not set.</exception>
    public static Dictionary<string, NpmConfigValue> ParseEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var values = new Dictionary<string, NpmConfigValue>(StringComparer.Ordinal);
        foreach (var (name, value) in environment.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) || value.Length == 0)
            {
                continue;
            }

            var key = name[EnvironmentPrefix.Length..];
            if (!key.StartsWith("//", StringComparison.Ordinal))
            {
                key = key.Length == 0 ? key : key[0] + key[1..].Replace('_', '-');
                key = key.ToLowerInvariant();
            }

            var source = $"environment variable {name}";
            values[key] = new NpmConfigValue(Expand(value, environment, source, key), source);
        }

        return values;
    }

    // An unquoted value ends at an unescaped ';' or '#'; "\;" and "\#" stand for the characters themselves.
    private static string ReadValue(string text)
    {
        if (text.Length >= 2 && ((text[0] == '"' && text[^1] == '"') || (text[0] == '\'' && text[^1] == '\'')))
        {
            return text[1..^1];
        }

        var value = new StringBuilder();
        for (var index = 0; index < text.Length; index++)
        {
            var character = text[index];
            if (character == '\\' && index + 1 < text.Length && text[index + 1] is ';' or '#')
            {
                value.Append(text[++index]);
                continue;
            }

            if (character is ';' or '#')
            {
                break;
            }

            value.Append(character);
        }

        return value.ToString().Trim();
    }

    // "${NAME}" must name a set variable; "${NAME?}" becomes empty when NAME is not set; "\${NAME}" stays as written.
    private static string Expand(string text, IReadOnlyDictionary<string, string> environment, string source, string key) =>
        Reference().Replace(text, match =>
        {
            if (match.Groups["escape"].Length > 0)
            {
                return match.Value[1..];
            }

            var name = match.Groups["name"].Value;
            if (environment.TryGetValue(name, out var value))
            {
                return value;
            }

            if (match.Groups["optional"].Success)
            {
                return "";
            }

            throw new PipelineException(
                $"npm setting '{key}' at {source} uses ${{{name}}}, but the environment variable {name} is not set. "
                + $"Set {name}, or write ${{{name}?}} to use an empty value when it is not set.");
        });

    [GeneratedRegex(@"(?<escape>\\?)\$\{(?<name>[^${}?]+)(?<optional>\?)?\}")]
    private static partial Regex Reference();
}
