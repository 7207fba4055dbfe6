namespace HagiImages.Pipeline;

/// <summary>
/// The command-line options of build/build.cake. Cake passes on any option it does not know itself without a word,
/// so a misspelt one (<c>--registy</c>) would silently change what a run does. <see cref="RejectUnknown"/> stops it.
/// </summary>
public static class OptionNames
{
    /// <summary>The options that build/build.cake reads, without the leading <c>--</c>.</summary>
    public static readonly IReadOnlyList<string> Pipeline =
    [
        "target", "image", "cli", "to", "check", "base-image", "debian-mirror", "ca-bundle", "registry", "image-version",
        "smoke-check", "test-filter", "dry-run", "pull-request", "github-repository", "github-api-url", "verbose-log",
    ];

    // Options of Cake 7 itself that may reach the script's arguments, and the prefixes of its settings.
    private static readonly string[] CakeOptions =
    [
        "verbosity", "v", "description", "showdescription", "tree", "showtree", "dryrun", "noop", "whatif", "exclusive", "e",
        "debug", "d", "help", "h", "info", "version", "bootstrap", "skip-bootstrap",
    ];

    private static readonly string[] CakePrefixes = ["settings_", "paths_", "nuget_", "roslyn_"];

    /// <summary>Throws when a name is neither a pipeline option nor one of Cake's.</summary>
    /// <param name="names">The option names as Cake parsed them, without <c>--</c>.</param>
    /// <exception cref="PipelineException">An option is unknown. The message names it and the closest known one.</exception>
    public static void RejectUnknown(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            var lower = name.ToLowerInvariant();
            if (Pipeline.Contains(lower) || CakeOptions.Contains(lower) || CakePrefixes.Any(prefix => lower.StartsWith(prefix, StringComparison.Ordinal)))
            {
                continue;
            }

            var closest = Pipeline.MinBy(known => Distance(lower, known))!;
            var hint = Distance(lower, closest) <= 3 ? $" Did you mean --{closest}?" : "";
            throw new PipelineException(
                $"Unknown option --{name}.{hint} The options are: --{string.Join(", --", Pipeline)}; see README.md, section Targets.");
        }
    }

    // Levenshtein distance, for the suggestion only.
    private static int Distance(string left, string right)
    {
        var previous = Enumerable.Range(0, right.Length + 1).ToArray();
        for (var i = 1; i <= left.Length; i++)
        {
            var current = new int[right.Length + 1];
            current[0] = i;
            for (var j = 1; j <= right.Length; j++)
            {
                var substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            previous = current;
        }

        return previous[right.Length];
    }
}
