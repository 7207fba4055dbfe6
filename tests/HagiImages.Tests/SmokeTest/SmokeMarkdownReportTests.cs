using HagiImages.SmokeTest;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.SmokeTest;

public sealed class SmokeMarkdownReportTests
{
    private static readonly SmokeResult[] Results =
    [
        new("ai-cli", "runs-as-non-root", true, TimeSpan.FromSeconds(1.24), "", null),
        new("ai-cli", "command-a|b", false, TimeSpan.FromSeconds(2.5), "'a': exited with code 1\nsecond line", "log ``` line\nlast"),
    ];

    [Fact]
    public void Format_Table_RowPerCheck()
    {
        var lines = SmokeMarkdownReport.Format(Results).Split('\n');

        Assert.Contains("| Check | Result | Duration | Reason |", lines);
        Assert.Contains("| ai-cli/runs-as-non-root | passed | 1.2 s |  |", lines);
        Assert.Contains("1 of 2 checks passed.", lines);
    }

    [Fact]
    public void Format_PipeAndNewline_Escaped()
    {
        var lines = SmokeMarkdownReport.Format(Results).Split('\n');

        Assert.Contains("| ai-cli/command-a\\|b | **FAILED** | 2.5 s | 'a': exited with code 1 second line |", lines);
    }

    [Fact]
    public void Format_Failure_ContainerLogsFenced()
    {
        var markdown = SmokeMarkdownReport.Format(Results);

        Assert.Contains("### ai-cli/command-a\\|b", markdown, StringComparison.Ordinal);
        Assert.Contains("Last container output:\n\n````text\nlog ``` line\nlast\n````\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_StepSummary_Appended()
    {
        using var temporary = new TemporaryDirectory();
        var summary = Path.Combine(temporary.Path, "smoke", "summary.md");
        var stepSummary = Path.Combine(temporary.Path, "step-summary.md");
        await File.WriteAllTextAsync(stepSummary, "earlier step\n");

        await SmokeMarkdownReport.WriteAsync(summary, Results, stepSummary);

        var markdown = SmokeMarkdownReport.Format(Results);
        Assert.Equal(markdown, await File.ReadAllTextAsync(summary));
        Assert.Equal("earlier step\n" + markdown + "\n", await File.ReadAllTextAsync(stepSummary));
    }

    [Fact]
    public async Task Write_NoStepSummary_OnlySummaryFile()
    {
        using var temporary = new TemporaryDirectory();
        var summary = Path.Combine(temporary.Path, "summary.md");

        await SmokeMarkdownReport.WriteAsync(summary, Results, stepSummaryPath: null);

        Assert.Equal([summary], Directory.GetFiles(temporary.Path));
    }
}
