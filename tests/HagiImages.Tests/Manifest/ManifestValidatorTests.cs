using HagiImages.Manifest;
using HagiImages.Pipeline;

namespace HagiImages.Tests.Manifest;

public sealed class ManifestValidatorTests
{
    private static readonly string LongPackage = new('a', 215);

    // Each row breaks one rule: the JSON path to edit, the new value as JSON, and three parts the message must
    // contain: the JSON path of the error, the offending value, and the fix.
    public static TheoryData<string, string, string, string, string> BrokenRules => new()
    {
        { "name", "\"Sample\"", "$.name:", "'Sample'", "Use lower-case letters" },
        { "repository", "\"Hagicode/Sample\"", "$.repository:", "'Hagicode/Sample'", "such as 'hagicode/ai-cli'" },
        { "repository", "\"docker.io/hagicode/sample:1\"", "$.repository:", "'docker.io/hagicode/sample:1'", "without registry or tag" },
        { "description", "\"say \\\"hi\\\"\"", "$.description:", "say \\\"hi\\\"", "without double quotes" },
        { "description", "\"two\\nlines\"", "$.description:", "two\\nlines", "one line" },
        { "description", "\"tab\\tin it\"", "$.description:", "tab\\tin it", "one line" },
        { "node.version", "\"  \"", "$.node.version:", "empty", "such as '^1.2.0'" },
        { "node.npm", "\"\"", "$.node.npm:", "empty", "dist-tag such as 'latest'" },
        { "node.registryImage", "\"Node:22\"", "$.node.registryImage:", "'Node:22'", "such as 'node:22-bookworm-slim'" },
        { "node.registryImage", "\"node:22 ; rm -rf /\"", "$.node.registryImage:", "'node:22 ; rm -rf /'", "such as 'node:22-bookworm-slim'" },
        { "user.name", "\"1user\"", "$.user.name:", "'1user'", "starting with a letter" },
        { "user.name", "\"abcdefghijklmnopqrstuvwxyzabcdefg\"", "$.user.name:", "'abcdefghijklmnopqrstuvwxyzabcdefg'", "at most 32 characters" },
        { "user.uid", "0", "$.user.uid:", "0 is out of range", "from 1 to 65534" },
        { "user.uid", "-5", "$.user.uid:", "-5 is out of range", "from 1 to 65534" },
        { "user.gid", "65535", "$.user.gid:", "65535 is out of range", "from 1 to 65534" },
        { "policy.minimumReleaseAgeDays", "-1", "$.policy.minimumReleaseAgeDays:", "-1 is out of range", "from 0 to 3650" },
        { "policy.minimumReleaseAgeDays", "3650.5", "$.policy.minimumReleaseAgeDays:", "3650.5 is out of range", "from 0 to 3650" },
        { "clis", "[]", "$.clis:", "the list is empty", "Add at least one CLI" },
        { "clis[0].id", "\"Tool\"", "$.clis[0].id:", "'Tool'", "such as 'claude-code'" },
        { "clis[0].id", "\"tool--x\"", "$.clis[0].id:", "'tool--x'", "single hyphens" },
        { "clis[1].id", "\"tool\"", "$.clis[1].id:", "'tool'", "its own id" },
        { "clis[0].package", "\"Tool\"", "$.clis[0].package:", "'Tool'", "'@scope/name'" },
        { "clis[0].package", "\"@scope/tool@1.0.0\"", "$.clis[0].package:", "'@scope/tool@1.0.0'", "'@scope/name'" },
        { "clis[0].package", $"\"{LongPackage}\"", "$.clis[0].package:", $"'{LongPackage}'", "'@scope/name'" },
        { "clis[0].version", "\"\"", "$.clis[0].version:", "empty", "dist-tag such as 'latest'" },
        { "clis[0].executables", "[]", "$.clis[0].executables:", "the list is empty", "such as 'claude'" },
        { "clis[0].executables", "[\"-x\"]", "$.clis[0].executables[0]:", "'-x'", "Use letters, digits" },
        { "clis[0].executables", "[\"tool\", \"../bin/sh\"]", "$.clis[0].executables[1]:", "'../bin/sh'", "Use letters, digits" },
        { "clis[1].executables", "[\"tool\"]", "$.clis[1].executables[0]:", "'tool'", "is installed by 'tool' too" },
        { "clis[0].versionCommand", "[]", "$.clis[0].versionCommand:", "''", "must start with a command name" },
        { "clis[0].versionCommand", "[\"--version\"]", "$.clis[0].versionCommand:", "'--version'", "must start with a command name" },
        { "clis[0].versionCommand", "[\"tool\", \"$(id)\"]", "$.clis[0].versionCommand[1]:", "'$(id)'", "outside letters, digits" },
        { "clis[0].state[0].path", "\".tool\"", "$.clis[0].state[0].path:", "'.tool'", "such as '~/.claude'" },
        { "clis[0].state[0].path", "\"~/../etc\"", "$.clis[0].state[0].path:", "'~/../etc'", "such as '~/.claude'" },
        { "clis[0].state[0].path", "\"~/a/./b\"", "$.clis[0].state[0].path:", "'~/a/./b'", "such as '~/.claude'" },
        { "clis[0].state[0].path", "\"~/a/..\"", "$.clis[0].state[0].path:", "'~/a/..'", "such as '~/.claude'" },
        { "clis[0].state[0].path", "\"~/.\"", "$.clis[0].state[0].path:", "'~/.'", "such as '~/.claude'" },
        { "clis[0].state[0].path", "\"~/a/.\"", "$.clis[0].state[0].path:", "'~/a/.'", "such as '~/.claude'" },
        { "clis[0].state[0].path", "\"~/a b\"", "$.clis[0].state[0].path:", "'~/a b'", "such as '~/.claude'" },
        { "clis[1].state", "[{ \"path\": \"~/.tool\" }]", "$.clis[1].state[0].path:", "'~/.tool'", "Declare each state path once" },
        { "clis[0].environment", "{ \"1BAD\": \"x\" }", "$.clis[0].environment:", "'1BAD'", "not starting with a digit" },
        { "clis[0].environment", "{ \"A-B\": \"x\" }", "$.clis[0].environment:", "'A-B'", "Use letters, digits and '_'" },
        { "clis[0].environment", "{ \"A\": \"x\\ny\" }", "$.clis[0].environment.A:", "x\\ny", "Use one line of text" },
        { "clis[0].policy.minimumReleaseAgeDays", "3651", "$.clis[0].policy.minimumReleaseAgeDays:", "3651 is out of range", "from 0 to 3650" },
    };

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public void Load_BrokenRule_MessageNamesPathValueAndFix(string path, string json, string expectedPath, string expectedValue, string expectedFix)
    {
        using var temporary = new TemporaryDirectory();
        var manifestPath = SampleManifest.Write(temporary.Path, SampleManifest.With(path, json));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(manifestPath));

        var line = Assert.Single(exception.Message.Split('\n'), line => line.Contains(expectedPath, StringComparison.Ordinal));
        Assert.Contains(expectedValue, line, StringComparison.Ordinal);
        Assert.Contains(expectedFix, line, StringComparison.Ordinal);
        Assert.Contains(manifestPath, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Sample_NoErrors()
    {
        using var temporary = new TemporaryDirectory();
        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.Text));

        Assert.Empty(ManifestValidator.Validate(manifest, "sample"));
    }

    [Fact]
    public void Validate_FolderMismatch_NamesBoth()
    {
        using var temporary = new TemporaryDirectory();
        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.Text));

        var error = Assert.Single(ManifestValidator.Validate(manifest, "renamed"));

        Assert.StartsWith("$.name:", error, StringComparison.Ordinal);
        Assert.Contains("'sample'", error, StringComparison.Ordinal);
        Assert.Contains("'renamed'", error, StringComparison.Ordinal);
        Assert.Contains("Rename one of them", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralBrokenRules_OneErrorEach()
    {
        using var temporary = new TemporaryDirectory();
        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.Text)) with
        {
            Repository = "UPPER",
            User = new UserSettings { Name = "hagicode", Uid = 0, Gid = 0 },
        };

        var errors = ManifestValidator.Validate(manifest, "sample");

        Assert.Equal(["$.repository", "$.user.uid", "$.user.gid"], errors.Select(error => error.Split(':')[0]));
    }

    [Theory]
    [InlineData("~/.claude")]
    [InlineData("~/.local/share/opencode")]
    [InlineData("~/...")]
    [InlineData("~/.config/x_y-z.json")]
    public void Validate_StatePath_Accepted(string statePath)
    {
        using var temporary = new TemporaryDirectory();
        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.With("clis[0].state[0].path", $"\"{statePath}\"")));

        Assert.Equal(statePath, manifest.Clis[0].State[0].Path);
    }

    [Fact]
    public void Validate_EnvironmentValueWithQuotesAndDollar_Accepted()
    {
        using var temporary = new TemporaryDirectory();
        var json = SampleManifest.With("clis[0].environment", """{ "A": "say \"hi\" to $HOME \\ now" }""");

        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, json));

        Assert.Equal("say \"hi\" to $HOME \\ now", manifest.Clis[0].Environment["A"]);
    }
}
