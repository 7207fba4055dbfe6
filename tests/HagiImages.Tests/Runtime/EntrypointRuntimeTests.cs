using System.Text.Json.Nodes;
using HagiImages.Manifest;
using HagiImages.Render;
using HagiImages.Tests.Manifest;
using HagiImages.Tests.Render;

namespace HagiImages.Tests.Runtime;

/// <summary>
/// Runs the runtime functions of the rendered ai-cli entrypoint with bash and the host's node, without Docker: the
/// script is copied without its closing <c>main "$@"</c> line, sourced, and one function is called as the current
/// user.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EntrypointRuntimeTests : IDisposable
{
    private const int UsageExitCode = 64;
    private const int SettingsExitCode = 65;
    private const string Secret = "tok\"en\\with $HOME and 'quotes'";

    private readonly TemporaryDirectory temporary = new();
    private readonly string script;
    private readonly string settingsFile;

    public EntrypointRuntimeTests()
    {
        var rendered = new RenderStage(Serilog.Core.Logger.None)
            .RenderImage(ManifestLoader.Load(RepositoryLayout.AiCliManifest))
            .Single(file => Path.GetFileName(file.Path) == "entrypoint.sh")
            .Content;
        var lines = rendered.TrimEnd('\n').Split('\n');
        script = Path.Combine(temporary.Path, "entrypoint-functions.sh");
        File.WriteAllText(script, string.Join('\n', lines[..^1]) + "\n");
        settingsFile = Path.Combine(temporary.Path, "claude", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(settingsFile)!);
    }

    [Fact]
    public async Task ApplySettings_KeepsUserKeys()
    {
        File.WriteAllText(settingsFile, "{\"theme\": \"dark\", \"env\": {\"KEEP\": \"1\", \"ANTHROPIC_MODEL\": \"old\"}, \"list\": [1, 2]}");

        var (exitCode, _) = await ApplySettingsAsync(new() { ["ANTHROPIC_MODEL"] = "new-model" });
        var json = JsonNode.Parse(File.ReadAllText(settingsFile))!.AsObject();

        Assert.Equal(0, exitCode);
        Assert.Equal("dark", json["theme"]!.GetValue<string>());
        Assert.Equal("1", json["env"]!["KEEP"]!.GetValue<string>());
        Assert.Equal("new-model", json["env"]!["ANTHROPIC_MODEL"]!.GetValue<string>());
        Assert.Equal(2, json["list"]!.AsArray().Count);
    }

    [Fact]
    public async Task ApplySettings_SecretFileEscapedAndHidden()
    {
        var secretFile = Path.Combine(temporary.Path, "token");
        File.WriteAllText(secretFile, Secret + "\n");

        var (exitCode, output) = await ApplySettingsAsync(new() { ["ANTHROPIC_AUTH_TOKEN_FILE"] = secretFile, ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9/$(id)" });
        var json = JsonNode.Parse(File.ReadAllText(settingsFile))!.AsObject();

        Assert.Equal(0, exitCode);
        Assert.Equal(Secret, json["env"]!["ANTHROPIC_AUTH_TOKEN"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:9/$(id)", json["env"]!["ANTHROPIC_BASE_URL"]!.GetValue<string>());
        Assert.DoesNotContain("tok", output, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", output, StringComparison.Ordinal);
        Assert.Contains($"applied ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL to {settingsFile}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplySettings_FileMode600()
    {
        var (exitCode, _) = await ApplySettingsAsync(new() { ["ANTHROPIC_AUTH_TOKEN"] = Secret });

        Assert.Equal(0, exitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(settingsFile));
    }

    [Fact]
    public async Task ApplySettings_NothingSet_FileUntouched()
    {
        var (exitCode, output) = await ApplySettingsAsync([]);

        Assert.Equal(0, exitCode);
        Assert.False(File.Exists(settingsFile));
        Assert.Equal("", output);
    }

    [Fact]
    public async Task ApplySettings_InvalidJson_KeptAndNotPrinted()
    {
        File.WriteAllText(settingsFile, "{\"token\": \"old-secret-value\",");

        var (exitCode, output) = await ApplySettingsAsync(new() { ["ANTHROPIC_MODEL"] = "m" });

        Assert.Equal(SettingsExitCode, exitCode);
        Assert.Contains($"{settingsFile} is not valid JSON", output, StringComparison.Ordinal);
        Assert.DoesNotContain("old-secret-value", output, StringComparison.Ordinal);
        Assert.Equal("{\"token\": \"old-secret-value\",", File.ReadAllText(settingsFile));
    }

    [Fact]
    public async Task ApplySettings_BothValueAndFile_Exit64()
    {
        var (exitCode, output) = await ApplySettingsAsync(new() { ["ANTHROPIC_AUTH_TOKEN"] = Secret, ["ANTHROPIC_AUTH_TOKEN_FILE"] = "/nonexistent" });

        Assert.Equal(UsageExitCode, exitCode);
        Assert.Contains("ANTHROPIC_AUTH_TOKEN and ANTHROPIC_AUTH_TOKEN_FILE are both set", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplySettings_MissingSecretFile_Exit64()
    {
        var (exitCode, output) = await ApplySettingsAsync(new() { ["ANTHROPIC_AUTH_TOKEN_FILE"] = "/nonexistent/token" });

        Assert.Equal(UsageExitCode, exitCode);
        Assert.Contains("ANTHROPIC_AUTH_TOKEN_FILE=/nonexistent/token: the file does not exist or is not readable", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.0.0 && id")]
    [InlineData("1.0.0;id")]
    [InlineData("$(id)")]
    [InlineData("latest")]
    [InlineData("^1.2.3")]
    [InlineData("1.2")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3 ")]
    [InlineData("1.2.3\nid")]
    public async Task OverrideVersion_Invalid_Exit64(string version)
    {
        var (exitCode, output) = await RunAsync(
            "override_version claude-code CLAUDE_CODE_CLI_VERSION '@anthropic-ai/claude-code' \"$HAGI_TEST_ROOT\" claude",
            new() { ["CLAUDE_CODE_CLI_VERSION"] = version, ["HAGI_TEST_ROOT"] = temporary.Path });

        Assert.Equal(UsageExitCode, exitCode);
        Assert.Contains("CLAUDE_CODE_CLI_VERSION must be an exact version such as 1.2.3", output, StringComparison.Ordinal);
        Assert.DoesNotContain("uid=", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("0.0.0")]
    [InlineData("2.1.332")]
    [InlineData("1.0.0-beta.1")]
    [InlineData("1.0.0-rc.1+build.5")]
    public async Task SemverPattern_Exact_Matches(string version)
    {
        var (exitCode, _) = await RunAsync("[[ $HAGI_TEST_VERSION =~ $semver_pattern ]]", new() { ["HAGI_TEST_VERSION"] = version });

        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task OverrideVersion_InstalledBefore_FirstOnPath()
    {
        var prefix = Path.Combine(temporary.Path, "1.2.3");
        Directory.CreateDirectory(Path.Combine(prefix, "node_modules", ".bin"));
        File.WriteAllText(Path.Combine(prefix, ".hagi-installed"), "");
        var command = Path.Combine(prefix, "node_modules", ".bin", "claude");
        File.WriteAllText(command, "#!/bin/sh\n");
        File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (exitCode, output) = await RunAsync(
            "override_version claude-code CLAUDE_CODE_CLI_VERSION '@anthropic-ai/claude-code' \"$HAGI_TEST_ROOT\" claude && printf 'PATH=%s\\n' \"$PATH\"",
            new() { ["CLAUDE_CODE_CLI_VERSION"] = "1.2.3", ["HAGI_TEST_ROOT"] = temporary.Path });

        Assert.Equal(0, exitCode);
        Assert.Contains($"PATH={prefix}/node_modules/.bin:", output, StringComparison.Ordinal);
        Assert.Contains($"claude-code 1.2.3 from CLAUDE_CODE_CLI_VERSION is first on PATH", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaBundle_Missing_Exit64()
    {
        var (exitCode, output) = await RunAsync("configure_ca_bundle", new() { ["HAGI_CA_BUNDLE"] = "/nonexistent/ca.pem" });

        Assert.Equal(UsageExitCode, exitCode);
        Assert.Contains("HAGI_CA_BUNDLE=/nonexistent/ca.pem: the file does not exist in the container", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaBundle_Present_ExportsNodeVariable()
    {
        var bundle = Path.Combine(temporary.Path, "ca.pem");
        File.WriteAllText(bundle, "-----BEGIN CERTIFICATE-----\n");

        var (exitCode, output) = await RunAsync("configure_ca_bundle && printf 'NODE_EXTRA_CA_CERTS=%s\\n' \"$NODE_EXTRA_CA_CERTS\"", new() { ["HAGI_CA_BUNDLE"] = bundle });

        Assert.Equal(0, exitCode);
        Assert.Contains($"NODE_EXTRA_CA_CERTS={bundle}\n", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        temporary.Dispose();
    }

    private Task<(int ExitCode, string Output)> ApplySettingsAsync(Dictionary<string, string?> environment)
    {
        environment["HAGI_TEST_SETTINGS"] = settingsFile;
        return RunAsync("apply_settings \"$HAGI_TEST_SETTINGS\" env ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL ANTHROPIC_MODEL ANTHROPIC_SMALL_FAST_MODEL", environment);
    }

    // run_uid and run_gid are the current ids, so that run_as_user changes nothing when the tests run as root.
    private Task<(int ExitCode, string Output)> RunAsync(string command, Dictionary<string, string?> environment)
    {
        foreach (var name in new[] { "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN_FILE", "ANTHROPIC_BASE_URL", "ANTHROPIC_BASE_URL_FILE", "ANTHROPIC_MODEL", "ANTHROPIC_MODEL_FILE", "ANTHROPIC_SMALL_FAST_MODEL", "ANTHROPIC_SMALL_FAST_MODEL_FILE", "HAGI_CA_BUNDLE" })
        {
            environment.TryAdd(name, null);
        }

        return ShellProcess.RunAsync(
            "bash",
            ["-c", $"source \"$1\"; run_uid=$(id -u); run_gid=$(id -g); {command}", "bash", script],
            environment);
    }
}
