using System.Globalization;
using System.Text;
using HagiImages.Publish;

namespace HagiImages.Release;

/// <summary>
/// Writes the Markdown body of a GitHub release: the image references with digests, a table of CLI versions and
/// the CLI changes since the previous release. It also reads the CLI table back from an earlier body.
/// </summary>
public static class ReleaseNotes
{
    /// <summary>Heading of the CLI table, which <see cref="ParseCliTable"/> looks for.</summary>
    public const string CliTableHeading = "## CLI versions";

    /// <summary>
    /// Renders the release body for <paramref name="record"/>. <paramref name="previousTag"/> and
    /// <paramref name="previousRows"/> describe the previous release: both null when there is none, and rows null
    /// when its body has no CLI table.
    /// </summary>
    public static string Format(PublishRecord record, string? previousTag, IReadOnlyList<ReleaseCliRow>? previousRows)
    {
        ArgumentNullException.ThrowIfNull(record);

        var text = new StringBuilder();
        text.Append("## Images\n");
        foreach (var image in record.Images)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n### {image.Name}\n\n");
            if (image.References.Count == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"Exported to an archive (`{Path.GetFileName(image.Archive ?? "")}`), not pushed to a registry.\n");
                continue;
            }

            text.Append("| Reference | Digest |\n| --- | --- |\n");
            foreach (var reference in image.References)
            {
                text.Append(CultureInfo.InvariantCulture, $"| `{reference.Reference}` | `{reference.Digest}` |\n");
            }

            text.Append("\nPull by digest:\n\n");
            foreach (var digestReference in image.References.Select(reference => reference.DigestReference).Distinct(StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"- `{digestReference}`\n");
            }
        }

        var rows = Rows(record);
        text.Append(CultureInfo.InvariantCulture, $"\n{CliTableHeading}\n\n| Image | CLI | Package | Version |\n| --- | --- | --- | --- |\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Image} | {row.Cli} | `{row.Package}` | {row.Version} |\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\n## Changes since {previousTag ?? "the previous release"}\n\n");
        text.Append(FormatChanges(rows, previousTag, previousRows));
        text.Append(CultureInfo.InvariantCulture, $"\nBuilt from revision {record.Revision}.\n");
        return text.ToString();
    }

    /// <summary>
    /// Reads the rows of the table under <see cref="CliTableHeading"/> in <paramref name="body"/>, or returns null
    /// when the body has no such table.
    /// </summary>
    public static IReadOnlyList<ReleaseCliRow>? ParseCliTable(string? body)
    {
        if (body is null)
        {
            return null;
        }

        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var heading = Array.FindIndex(lines, line => line.Trim() == CliTableHeading);
        if (heading < 0)
        {
            return null;
        }

        var rows = new List<ReleaseCliRow>();
        var tableLines = lines.Skip(heading + 1).SkipWhile(line => line.Trim().Length == 0).TakeWhile(line => line.TrimStart().StartsWith('|')).ToList();

        // The first two lines are the header and the separator.
        foreach (var line in tableLines.Skip(2))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(cell => cell.Trim().Trim('`')).ToArray();
            if (cells.Length == 4)
            {
                rows.Add(new ReleaseCliRow(cells[0], cells[1], cells[2], cells[3]));
            }
        }

        return tableLines.Count >= 2 ? rows : null;
    }

    /// <summary>Returns the CLI rows of every image of <paramref name="record"/>, in manifest order.</summary>
    public static IReadOnlyList<ReleaseCliRow> Rows(PublishRecord record) =>
        record.Images.SelectMany(image => image.Clis.Select(cli => new ReleaseCliRow(image.Name, cli.Id, cli.Package, cli.Version))).ToList();

    private static string FormatChanges(IReadOnlyList<ReleaseCliRow> rows, string? previousTag, IReadOnlyList<ReleaseCliRow>? previousRows)
    {
        if (previousTag is null)
        {
            return "This is the first release.\n";
        }

        if (previousRows is null)
        {
            return $"The body of release {previousTag} has no CLI table, so the changes are not listed.\n";
        }

        var before = previousRows.ToDictionary(row => (row.Image, row.Cli));
        var after = rows.ToDictionary(row => (row.Image, row.Cli));
        var lines = new List<string>();
        foreach (var row in rows)
        {
            if (!before.TryGetValue((row.Image, row.Cli), out var old))
            {
                lines.Add($"- {row.Image}: {row.Cli} added at {row.Version}");
            }
            else if (old.Version != row.Version)
            {
                lines.Add($"- {row.Image}: {row.Cli} {old.Version} → {row.Version}");
            }
        }

        foreach (var old in previousRows.Where(old => !after.ContainsKey((old.Image, old.Cli))))
        {
            lines.Add($"- {old.Image}: {old.Cli} removed (was {old.Version})");
        }

        return lines.Count == 0 ? "No CLI version changed.\n" : string.Join("\n", lines) + "\n";
    }
}
