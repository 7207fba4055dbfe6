using System.Xml.Linq;
using HagiImages.SmokeTest;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.SmokeTest;

public sealed class SmokeReportTests
{
    private static readonly SmokeResult[] Results =
    [
        new("ai-cli", "non-root-user", true, TimeSpan.FromSeconds(1.24), "runs as uid 1000", null),
        new("ai-cli", "cli-version codex", false, TimeSpan.FromMilliseconds(2500), "codex --version exited with 127\nnot found", "sh: codex: not found\nexit"),
        new("other", "state-persistence", true, TimeSpan.FromSeconds(12.05), "", null),
    ];

    [Fact]
    public void FormatTable_Header_FourColumns()
    {
        var lines = SmokeReport.FormatTable(Results).Split('\n');

        Assert.Equal(["Check", "Result", "Duration", "Reason"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches("^-+  -+  -+  -+$", lines[1]);
    }

    [Fact]
    public void FormatTable_Rows_AlignedColumns()
    {
        var lines = SmokeReport.FormatTable(Results).Split('\n');
        var resultColumn = lines[0].IndexOf("Result", StringComparison.Ordinal);
        var durationColumn = lines[0].IndexOf("Duration", StringComparison.Ordinal);

        Assert.StartsWith("ai-cli/non-root-user", lines[2], StringComparison.Ordinal);
        Assert.Equal("passed", lines[2].Substring(resultColumn, 6));
        Assert.Equal("FAILED", lines[3].Substring(resultColumn, 6));
        Assert.Equal("1.2 s", lines[2].Substring(durationColumn, 5));
        Assert.Equal("12.1 s", lines[4].Substring(durationColumn, 6));
    }

    [Fact]
    public void FormatTable_MultiLineReason_OneLine()
    {
        var lines = SmokeReport.FormatTable(Results).Split('\n');

        Assert.EndsWith("codex --version exited with 127 not found", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTable_LongReason_Shortened()
    {
        var reason = new string('x', 150);

        var table = SmokeReport.FormatTable([new SmokeResult("ai-cli", "long", false, TimeSpan.Zero, reason, null)]);

        Assert.Contains(new string('x', 97) + "...", table, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 98), table, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTable_Summary_CountsPassed()
    {
        var lines = SmokeReport.FormatTable(Results).Split('\n');

        Assert.Equal("2 of 3 checks passed", lines[^1]);
    }

    [Fact]
    public void FormatTable_NoResults_ZeroOfZero()
    {
        Assert.EndsWith("0 of 0 checks passed", SmokeReport.FormatTable([]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteJUnitAsync_Results_SuitePerImage()
    {
        var document = await WriteAndLoadAsync(Results);
        var root = document.Root!;
        var suites = root.Elements("testsuite").ToList();

        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal("3", root.Attribute("tests")?.Value);
        Assert.Equal("1", root.Attribute("failures")?.Value);
        Assert.Equal(["ai-cli", "other"], suites.Select(suite => suite.Attribute("name")?.Value));
        Assert.Equal(["2", "1"], suites.Select(suite => suite.Attribute("tests")?.Value));
        Assert.Equal(["1", "0"], suites.Select(suite => suite.Attribute("failures")?.Value));
        Assert.Equal("3.740", suites[0].Attribute("time")?.Value);
    }

    [Fact]
    public async Task WriteJUnitAsync_Testcase_NameClassAndTime()
    {
        var document = await WriteAndLoadAsync(Results);

        var testcase = document.Descendants("testcase").First();

        Assert.Equal("non-root-user", testcase.Attribute("name")?.Value);
        Assert.Equal("smoke.ai-cli", testcase.Attribute("classname")?.Value);
        Assert.Equal("1.240", testcase.Attribute("time")?.Value);
        Assert.Null(testcase.Element("failure"));
    }

    [Fact]
    public async Task WriteJUnitAsync_Failure_MessageAndLogs()
    {
        var document = await WriteAndLoadAsync(Results);

        var failure = Assert.Single(document.Descendants("failure"));

        Assert.Equal("cli-version codex", failure.Parent?.Attribute("name")?.Value);
        Assert.Equal("codex --version exited with 127\nnot found", failure.Attribute("message")?.Value);
        Assert.Equal("codex --version exited with 127\nnot found\n\nLast container output:\nsh: codex: not found\nexit", failure.Value);
    }

    [Fact]
    public async Task WriteJUnitAsync_FailureWithoutLogs_ReasonOnly()
    {
        var document = await WriteAndLoadAsync([new SmokeResult("ai-cli", "check", false, TimeSpan.Zero, "it broke", null)]);

        Assert.Equal("it broke", Assert.Single(document.Descendants("failure")).Value);
    }

    [Fact]
    public async Task WriteJUnitAsync_ControlCharacters_Replaced()
    {
        var logs = "\u001b[31merror\u001b[0m: bell \u0007 and NUL \u0000 end";

        var document = await WriteAndLoadAsync([new SmokeResult("ai-cli", "check", false, TimeSpan.Zero, "failed \u001b[1m", logs)]);
        var failure = Assert.Single(document.Descendants("failure"));

        Assert.Contains("\uFFFD[31merror\uFFFD[0m: bell \uFFFD and NUL \uFFFD end", failure.Value, StringComparison.Ordinal);
        Assert.Equal("failed \uFFFD[1m", failure.Attribute("message")?.Value);
    }

    [Fact]
    public async Task WriteJUnitAsync_Emoji_Kept()
    {
        var document = await WriteAndLoadAsync([new SmokeResult("ai-cli", "check", false, TimeSpan.Zero, "done \U0001F680", null)]);

        Assert.Equal("done \U0001F680", Assert.Single(document.Descendants("failure")).Attribute("message")?.Value);
    }

    [Fact]
    public async Task WriteJUnitAsync_MissingFolder_Created()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, "results", "smoke", "junit.xml");

        await SmokeReport.WriteJUnitAsync(path, Results);

        Assert.True(File.Exists(path));
    }

    private static async Task<XDocument> WriteAndLoadAsync(IReadOnlyList<SmokeResult> results)
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, "junit.xml");

        await SmokeReport.WriteJUnitAsync(path, results);

        return XDocument.Load(path);
    }
}
