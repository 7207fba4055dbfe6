using System.Globalization;
using System.Text;

namespace HagiImages.Resolve;

/// <summary>
/// Renders resolve reports as a plain-text table for the console and Bump results as a Markdown summary for a
/// pull request body.
/// </summary>
public static class ResolveReportFormatter
{
    private static readonly string[] Headers = ["CLI", "Package", "Pinned", "Newest allowed", "Age", "Status"];

    /// <summary>
    /// Renders one row per package (node, npm, then the CLIs) with the pinned version, the newest allowed version,
    /// its age and the status, followed by the warnings and errors.
    /// </summary>
    public static string FormatTable(ResolveReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Packages.Select(package => new[]
        {
            package.Id,
            package.Package,
            package.Locked?.Version ?? "-",
            package.Pick?.Version ?? package.Pin?.Version ?? "-",
            FormatAge(package, report.ResolvedAt),
            FormatStatus(package),
        }).ToList();

        var widths = Headers.Select((header, column) => rows.Select(row => row[column].Length).Append(header.Length).Max()).ToArray();
        var text = new StringBuilder();
        AppendRow(text, Headers, widths);
        AppendRow(text, widths.Select(width => new string('-', width)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        foreach (var package in report.Packages)
        {
            foreach (var warning in package.Pick?.Warnings ?? [])
            {
                text.Append(CultureInfo.InvariantCulture, $"warning: {warning}\n");
            }
        }

        foreach (var error in report.Errors)
        {
            text.Append(CultureInfo.InvariantCulture, $"error: {error}\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// Renders what a Bump changed as Markdown: a table of moved pins, the versions held back and the warnings.
    /// </summary>
    public static string FormatChangeSummary(BumpResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var report = result.Report;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## Version pins of image `{report.Image}`\n\n");
        if (result.Changes.Count == 0)
        {
            text.Append("No pin changed.\n");
        }
        else
        {
            text.Append("| CLI | Package | From | To |\n| --- | --- | --- | --- |\n");
            foreach (var change in result.Changes)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {Escape(change.Id)} | `{Escape(change.Package)}` | {Escape(change.From ?? "(new)")} | {Escape(change.To)} |\n");
            }
        }

        var heldBack = report.Packages.Where(package => package.Pick?.HeldBack is not null).ToList();
        if (heldBack.Count > 0)
        {
            text.Append("\nHeld back by policy:\n\n");
            foreach (var package in heldBack)
            {
                var held = package.Pick!.HeldBack!;
                text.Append(CultureInfo.InvariantCulture, $"- `{Escape(package.Package)}` {Escape(held.Version)}: {Escape(held.Reason)}\n");
            }
        }

        var warnings = report.Packages.SelectMany(package => package.Pick?.Warnings ?? []).ToList();
        if (warnings.Count > 0)
        {
            text.Append("\nWarnings:\n\n");
            foreach (var warning in warnings)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {Escape(warning)}\n");
            }
        }

        return text.ToString();
    }

    private static string FormatStatus(PackageResolution package)
    {
        var heldBack = package.Pick?.HeldBack is { } held
            ? held.Until is { } until
                ? $"{held.Version} held back until {FormatDate(until)}"
                : $"{held.Version} held back: {held.Reason}"
            : null;
        return package.Status switch
        {
            ResolutionStatus.UpToDate => "up to date",
            ResolutionStatus.HeldBack => heldBack!,
            ResolutionStatus.UpdateAvailable => heldBack is null ? "update available" : $"update available; {heldBack}",
            ResolutionStatus.SpecChanged => $"spec changed (pinned from '{package.Locked!.Spec}')",
            ResolutionStatus.NotPinned => "not pinned",
            ResolutionStatus.Kept => "kept",
            _ => "failed (see below)",
        };
    }

    private static string FormatAge(PackageResolution package, DateTimeOffset now)
    {
        var published = package.Pick?.Published ?? package.Pin?.Published;
        if (published is not { } time)
        {
            return "-";
        }

        var age = now - time;
        return age.TotalDays >= 1
            ? $"{Math.Floor(age.TotalDays).ToString(CultureInfo.InvariantCulture)} d"
            : $"{Math.Max(0, Math.Floor(age.TotalHours)).ToString(CultureInfo.InvariantCulture)} h";
    }

    private static string FormatDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        var padded = cells.Select((cell, column) => column == cells.Length - 1 ? cell : cell.PadRight(widths[column]));
        text.Append(string.Join("  ", padded).TrimEnd()).Append('\n');
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
