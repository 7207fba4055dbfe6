using System.Globalization;
using System.Text;

namespace HagiImages.SmokeTest;

/// <summary>
/// Writes smoke-test results as a Markdown summary: one table of all checks, then the reason and the last container
/// output of each failure. GitHub Actions shows such a file on the run's page when it is appended to the file named
/// by <c>GITHUB_STEP_SUMMARY</c>.
/// </summary>
public static class SmokeMarkdownReport
{
    /// <summary>The environment variable through which GitHub Actions names the job summary file.</summary>
    public const string StepSummaryVariable = "GITHUB_STEP_SUMMARY";

    /// <summary>Returns the Markdown summary of <paramref name="results"/>.</summary>
    public static string Format(IReadOnlyList<SmokeResult> results)
    {
        var failed = results.Where(result => !result.Passed).ToList();
        var text = new StringBuilder();
        text.Append("## Smoke test\n\n");
        text.Append(CultureInfo.InvariantCulture, $"{results.Count - failed.Count} of {results.Count} checks passed.\n\n");
        text.Append("| Check | Result | Duration | Reason |\n");
        text.Append("| --- | --- | ---: | --- |\n");
        foreach (var result in results)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {Cell($"{result.Image}/{result.Check}")} | {(result.Passed ? "passed" : "**FAILED**")} | {result.Duration.TotalSeconds:F1} s | {Cell(result.Reason)} |\n");
        }

        foreach (var result in failed)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n### {Cell($"{result.Image}/{result.Check}")}\n\n");
            text.Append(Fence(result.Reason));
            if (result.ContainerLogs is { Length: > 0 } logs)
            {
                text.Append("\nLast container output:\n\n");
                text.Append(Fence(logs));
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes the summary to <paramref name="path"/>, and appends it to the file that <c>GITHUB_STEP_SUMMARY</c> names
    /// when <paramref name="stepSummaryPath"/> is set.
    /// </summary>
    public static async Task WriteAsync(string path, IReadOnlyList<SmokeResult> results, string? stepSummaryPath, CancellationToken cancellationToken = default)
    {
        var markdown = Format(results);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, markdown, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(stepSummaryPath))
        {
            await File.AppendAllTextAsync(stepSummaryPath, markdown + "\n", cancellationToken).ConfigureAwait(false);
        }
    }

    // A table cell is one line, and '|' would end it early.
    private static string Cell(string text) =>
        text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    // A fence longer than any backtick run in the text, so that the text cannot close it.
    private static string Fence(string text)
    {
        var longestRun = 0;
        var run = 0;
        foreach (var character in text)
        {
            run = character == '`' ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }

        var fence = new string('`', Math.Max(3, longestRun + 1));
        return $"{fence}text\n{text.TrimEnd()}\n{fence}\n";
    }
}
