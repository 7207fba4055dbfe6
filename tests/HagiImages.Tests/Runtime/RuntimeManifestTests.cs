using HagiImages.Manifest;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.Runtime;

/// <summary>The manifest rules for apt packages, settings injection and version variables.</summary>
public sealed class RuntimeManifestTests
{
    private const string Settings = """{ "path": "~/.tool/settings.json", "key": "env", "variables": ["TOOL_TOKEN", "TOOL_URL"] }""";

    [Fact]
    public void Validate_RuntimeFields_Accepted()
    {
        var json = SampleManifest.With("aptPackages", """["tini", "git", "g++", "libc6.1-dev"]""");
        json["clis"]![0]!["settings"] = System.Text.Json.Nodes.JsonNode.Parse(Settings);
        json["clis"]![0]!["versionVariable"] = "TOOL_CLI_VERSION";

        Assert.Empty(Validate(json));
    }

    [Theory]
    [InlineData("aptPackages", """["tini; id"]""", "$.aptPackages[0]", "is not a valid Debian package name")]
    [InlineData("aptPackages", """["Tini"]""", "$.aptPackages[0]", "is not a valid Debian package name")]
    [InlineData("aptPackages", """["t"]""", "$.aptPackages[0]", "is not a valid Debian package name")]
    [InlineData("aptPackages", """["git", "git"]""", "$.aptPackages[1]", "is listed twice")]
    [InlineData("clis[0].settings", """{ "path": "~/.other/settings.json", "key": "env", "variables": ["TOOL_TOKEN"] }""", "$.clis[0].settings.path", "is not inside a directory state path of 'tool'")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool.json/x", "key": "env", "variables": ["TOOL_TOKEN"] }""", "$.clis[0].settings.path", "is not inside a directory state path")]
    [InlineData("clis[0].settings", """{ "path": "~/../settings.json", "key": "env", "variables": ["TOOL_TOKEN"] }""", "$.clis[0].settings.path", "is invalid")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool/settings.json", "key": "a b", "variables": ["TOOL_TOKEN"] }""", "$.clis[0].settings.key", "is invalid")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool/settings.json", "key": "env", "variables": [] }""", "$.clis[0].settings.variables", "the list is empty")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool/settings.json", "key": "env", "variables": ["TOOL TOKEN"] }""", "$.clis[0].settings.variables[0]", "is not a valid variable name")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool/settings.json", "key": "env", "variables": ["TOOL_TOKEN_FILE"] }""", "$.clis[0].settings.variables[0]", "ends with '_FILE'")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool/settings.json", "key": "env", "variables": ["PUID"] }""", "$.clis[0].settings.variables[0]", "is a variable the entrypoint or the shell reads itself")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool/settings.json", "key": "env", "variables": ["HAGI_CA_BUNDLE"] }""", "$.clis[0].settings.variables[0]", "is a variable the entrypoint or the shell reads itself")]
    [InlineData("clis[0].settings", """{ "path": "~/.tool/settings.json", "key": "env", "variables": ["TOOL_TOKEN", "TOOL_TOKEN"] }""", "$.clis[0].settings.variables[1]", "is used by 'tool' too")]
    [InlineData("clis[0].versionVariable", "\"TOOL-VERSION\"", "$.clis[0].versionVariable", "is not a valid variable name")]
    [InlineData("clis[0].versionVariable", "\"PATH\"", "$.clis[0].versionVariable", "is a variable the entrypoint or the shell reads itself")]
    public void Validate_BrokenRule_NamesPath(string path, string json, string expectedPath, string expectedText)
    {
        var error = Assert.Single(Validate(SampleManifest.With(path, json)));

        Assert.StartsWith($"{expectedPath}:", error, StringComparison.Ordinal);
        Assert.Contains(expectedText, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_VersionVariableSharedByTwoClis_Rejected()
    {
        var json = SampleManifest.With("clis[0].versionVariable", "\"SHARED_VERSION\"");
        json["clis"]![1]!["versionVariable"] = "SHARED_VERSION";

        var error = Assert.Single(Validate(json));

        Assert.StartsWith("$.clis[1].versionVariable:", error, StringComparison.Ordinal);
        Assert.Contains("is used by 'tool' too", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RealAiCli_RuntimeFields()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);
        var claude = manifest.Clis.Single(cli => cli.Id == "claude-code");
        var gemini = manifest.Clis.Single(cli => cli.Id == "gemini");

        Assert.Equal(["tini", "git", "ca-certificates", "ripgrep"], manifest.AptPackages);
        Assert.Equal("~/.claude/settings.json", claude.Settings!.Path);
        Assert.Equal("env", claude.Settings.Key);
        Assert.Equal(["ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "ANTHROPIC_SMALL_FAST_MODEL"], claude.Settings.Variables);
        Assert.Equal("CLAUDE_CODE_CLI_VERSION", claude.VersionVariable);
        Assert.Equal("@google/gemini-cli", gemini.Package);
        Assert.Equal(["gemini"], gemini.Executables);
        Assert.Equal("~/.gemini", Assert.Single(gemini.State).Path);
    }

    private static IReadOnlyList<string> Validate(System.Text.Json.Nodes.JsonObject json)
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, json);
        try
        {
            return ManifestValidator.Validate(ManifestLoader.Load(path), "sample");
        }
        catch (HagiImages.Pipeline.PipelineException exception)
        {
            return exception.Message.Split('\n').Skip(1).Select(line => line.Trim()).ToList();
        }
    }
}
