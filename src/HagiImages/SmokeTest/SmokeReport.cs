using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace HagiImages.SmokeTest;

/// <summary>
/// Writes smoke-test results as a console table and as JUnit XML, the format CI systems show as test results.
/// </summary>
public static class SmokeReport
{
    private const int MaxReasonWidth = 100;

    /// <summary>Returns a plain-text table: check, result, duration and reason.</summary>
    public static string FormatTable(IReadOnlyList<SmokeResult> results)
    {
        var rows = results.Select(result => new[]
        {
            $"{result.Image}/{result.Check}",
            result.Passed ? "passed" : "FAILED",
            result.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s",
            Shorten(result.Reason.ReplaceLineEndings(" ")),
        }).ToList();
        string[] header = ["Check", "Result", "Duration", "Reason"];
        var widths = Enumerable.Range(0, header.Length)
            .Select(column => rows.Select(row => row[column].Length).Append(header[column].Length).Max())
            .ToArray();

        var table = new StringBuilder();
        AppendRow(table, header, widths);
        AppendRow(table, widths.Select(width => new string('-', width)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendRow(table, row, widths);
        }

        var failed = results.Count(result => !result.Passed);
        table.Append(CultureInfo.InvariantCulture, $"{results.Count - failed} of {results.Count} checks passed");
        return table.ToString();
    }

    /// <summary>Writes the results as JUnit XML, one test suite per image, to <paramref name="path"/>.</summary>
    public static async Task WriteJUnitAsync(string path, IReadOnlyList<SmokeResult> results, CancellationToken cancellationToken = default)
    {
        var suites = results.GroupBy(result => result.Image).Select(group => new XElement(
            "testsuite",
            new XAttribute("name", group.Key),
            new XAttribute("tests", group.Count()),
            new XAttribute("failures", group.Count(result => !result.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("time", Seconds(group.Aggregate(TimeSpan.Zero, (total, result) => total + result.Duration))),
            group.Select(result => new XElement(
                "testcase",
                new XAttribute("classname", $"smoke.{result.Image}"),
                new XAttribute("name", result.Check),
                new XAttribute("time", Seconds(result.Duration)),
                result.Passed
                    ? null
                    : new XElement(
                        "failure",
                        new XAttribute("message", ToXmlText(result.Reason)),
                        ToXmlText(result.ContainerLogs is null ? result.Reason : $"{result.Reason}\n\nLast container output:\n{result.ContainerLogs}"))))));
        var document = new XDocument(new XElement(
            "testsuites",
            new XAttribute("name", "HagiImages smoke test"),
            new XAttribute("tests", results.Count),
            new XAttribute("failures", results.Count(result => !result.Passed)),
            suites));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var stream = File.Create(path);
        await document.SaveAsync(stream, SaveOptions.None, cancellationToken).ConfigureAwait(false);
    }

    // XML 1.0 cannot carry most control characters, such as the ESC of colour codes in container output, so
    // each of them becomes U+FFFD instead of making the XML writer throw.
    private static string ToXmlText(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var index = 0; index < text.Length; index++)
        {
            var character = text[index];
            if (XmlConvert.IsXmlChar(character))
            {
                builder.Append(character);
            }
            else if (index + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[index + 1], character))
            {
                builder.Append(character).Append(text[index + 1]);
                index++;
            }
            else
            {
                builder.Append('\uFFFD');
            }
        }

        return builder.ToString();
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= MaxReasonWidth ? text : text[..(MaxReasonWidth - 3)] + "...";

    private static void AppendRow(StringBuilder table, string[] cells, int[] widths)
    {
        for (var column = 0; column < cells.Length; column++)
        {
            table.Append(cells[column].PadRight(widths[column]));
            table.Append(column == cells.Length - 1 ? "\n" : "  ");
        }
    }
}
