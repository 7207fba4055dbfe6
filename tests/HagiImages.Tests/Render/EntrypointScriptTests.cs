using HagiImages.Manifest;
using HagiImages.Render;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.Render;

/// <summary>
/// Runs functions of the rendered entrypoint.sh with bash, without Docker: the script is copied without its
/// closing <c>main "$@"</c> line, sourced, and one function is called.
/// </summary>
public sealed class EntrypointScriptTests : IDisposable
{
    private const int UsageExitCode = 64;

    private readonly TemporaryDirectory temporary = new();
    private readonly string script;

    public EntrypointScriptTests()
    {
        var rendered = new RenderStage(Serilog.Core.Logger.None)
            .RenderImage(ManifestLoader.Load(RepositoryLayout.AiCliManifest))
            .Single(file => Path.GetFileName(file.Path) == "entrypoint.sh")
            .Content;
        var lines = rendered.TrimEnd('\n').Split('\n');
        Assert.Equal("main \"$@\"", lines[^1]);

        script = Path.Combine(temporary.Path, "entrypoint-functions.sh");
        File.WriteAllText(script, string.Join('\n', lines[..^1]) + "\n");
    }

    [Theory]
    [InlineData("abc", "PUID must be a whole number, got 'abc'. Set PUID to a user or group id such as 1000.")]
    [InlineData("-1", "PUID must be a whole number, got '-1'.")]
    [InlineData("", "PUID must be a whole number, got ''.")]
    [InlineData("1000 ", "PUID must be a whole number, got '1000 '.")]
    [InlineData("0x10", "PUID must be a whole number, got '0x10'.")]
    [InlineData("0", "PUID=0 would run the CLIs as root. Use another id, or set HAGI_ALLOW_ROOT=1 to allow it.")]
    [InlineData("000", "PUID=0 would run the CLIs as root.")]
    [InlineData("4294967295", "PUID must be at most 4294967294, got '4294967295'.")]
    [InlineData("99999999999", "PUID must be at most 4294967294, got '99999999999'.")]
    [InlineData("99999999999999999999", "PUID must be at most 4294967294, got '99999999999999999999'.")]
    public async Task ValidateId_Invalid_Exit64(string value, string message)
    {
        var (exitCode, output) = await ValidateIdAsync(value);

        Assert.Equal(UsageExitCode, exitCode);
        Assert.Contains($"hagi-entrypoint: error: {message}", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1000")]
    [InlineData("1")]
    [InlineData("4294967294")]
    [InlineData("01000")]
    public async Task ValidateId_Valid_Succeeds(string value)
    {
        var (exitCode, output) = await ValidateIdAsync(value);

        Assert.Equal(0, exitCode);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task ValidateId_ZeroWithAllowRoot_Succeeds()
    {
        var (exitCode, output) = await ValidateIdAsync("0", allowRoot: "1");

        Assert.Equal(0, exitCode);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task ValidateId_ZeroWithAllowRootTrue_Rejected()
    {
        var (exitCode, _) = await ValidateIdAsync("0", allowRoot: "true");

        Assert.Equal(UsageExitCode, exitCode);
    }

    [Fact]
    public async Task ValidateId_GroupName_InMessage()
    {
        var (exitCode, output) = await RunAsync("validate_id PGID abc");

        Assert.Equal(UsageExitCode, exitCode);
        Assert.Contains("PGID must be a whole number, got 'abc'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatePaths_EveryMount()
    {
        var expected = StateMount.ForImage(ManifestLoader.Load(RepositoryLayout.AiCliManifest)).Select(mount => mount.Mount);

        var (exitCode, output) = await RunAsync("printf '%s\\n' \"${state_paths[@]}\"");

        Assert.Equal(0, exitCode);
        Assert.Equal(expected, output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task CheckStatePaths_Missing_Exit64()
    {
        const string firstStatePath = "/home/hagicode/.claude";
        if (Directory.Exists(firstStatePath))
        {
            return;
        }

        var (exitCode, output) = await RunAsync("check_state_paths");

        Assert.Equal(UsageExitCode, exitCode);
        Assert.Contains($"state folder {firstStatePath} (owner missing) is not writable", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        temporary.Dispose();
    }

    private Task<(int ExitCode, string Output)> ValidateIdAsync(string value, string? allowRoot = null) =>
        RunAsync($"validate_id PUID '{value}'", allowRoot);

    private Task<(int ExitCode, string Output)> RunAsync(string command, string? allowRoot = null) =>
        ShellProcess.RunAsync(
            "bash",
            ["-c", $"source \"$1\"; {command}", "bash", script],
            new Dictionary<string, string?> { ["HAGI_ALLOW_ROOT"] = allowRoot, ["PUID"] = null, ["PGID"] = null });
}
