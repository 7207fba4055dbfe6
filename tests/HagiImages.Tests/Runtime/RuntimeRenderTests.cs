using HagiImages.Manifest;
using HagiImages.Render;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.Runtime;

/// <summary>The rendered Dockerfile, entrypoint and compose file of the real images carry the runtime features.</summary>
public sealed class RuntimeRenderTests
{
    [Fact]
    public void Dockerfile_AptStepInRuntimeBase()
    {
        var dockerfile = Render(RepositoryLayout.AiCliManifest, "Dockerfile");

        var baseStage = dockerfile.IndexOf("AS runtime-base", StringComparison.Ordinal);
        var install = dockerfile.IndexOf("apt-get install -y --no-install-recommends tini git ca-certificates ripgrep;", StringComparison.Ordinal);
        var cleanup = dockerfile.IndexOf("rm -rf /var/lib/apt/lists/*", StringComparison.Ordinal);
        var firstCliStage = dockerfile.IndexOf("FROM runtime-base AS cli-", StringComparison.Ordinal);
        Assert.True(baseStage >= 0, "runtime-base stage missing");
        Assert.True(install > baseStage, "apt-get install is not in runtime-base");
        Assert.True(cleanup > install, "apt lists are not removed after the install");
        Assert.True(firstCliStage > cleanup, "apt step is not before the CLI stages");
        Assert.Contains("apt-get update;", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_NoAptPackages_NoAptStep()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest) with { AptPackages = [] };

        var dockerfile = RenderFile(manifest, "Dockerfile");

        Assert.DoesNotContain("apt-get", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_KeepsAutoupdaterOff()
    {
        var dockerfile = Render(RepositoryLayout.AiCliManifest, "Dockerfile");

        Assert.Contains("DISABLE_AUTOUPDATER=\"1\"", dockerfile, StringComparison.Ordinal);
        Assert.Contains("OPENCODE_DISABLE_AUTOUPDATE=\"1\"", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_StopSignalHangup()
    {
        var lines = Render(RepositoryLayout.AiCliManifest, "Dockerfile").Split('\n');

        Assert.Contains("STOPSIGNAL SIGHUP", lines);
    }

    [Fact]
    public void Entrypoint_RunsUnderTini()
    {
        var entrypoint = Render(RepositoryLayout.AiCliManifest, "entrypoint.sh");

        Assert.Contains("init=(tini -g --)", entrypoint, StringComparison.Ordinal);
        Assert.Contains("exec setpriv --reuid=\"$run_uid\" --regid=\"$run_gid\" --init-groups --inh-caps=-all -- \"${init[@]}\" \"$@\"", entrypoint, StringComparison.Ordinal);
        Assert.Contains("exec \"${init[@]}\" \"$@\"", entrypoint, StringComparison.Ordinal);
    }

    [Fact]
    public void Entrypoint_MergesClaudeSettings()
    {
        var entrypoint = Render(RepositoryLayout.AiCliManifest, "entrypoint.sh");

        Assert.Contains(
            "  apply_settings '/home/hagicode/.claude/settings.json' 'env' ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL ANTHROPIC_MODEL ANTHROPIC_SMALL_FAST_MODEL\n",
            entrypoint,
            StringComparison.Ordinal);
        Assert.Single(entrypoint.Split('\n'), line => line.StartsWith("  apply_settings ", StringComparison.Ordinal));
    }

    [Fact]
    public void Entrypoint_WithoutSettings_NoMerge()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);
        manifest = manifest with { Clis = manifest.Clis.Select(cli => cli with { Settings = null, VersionVariable = null }).ToList() };

        var entrypoint = RenderFile(manifest, "entrypoint.sh");

        Assert.DoesNotContain(entrypoint.Split('\n'), line => line.StartsWith("  apply_settings ", StringComparison.Ordinal));
        Assert.DoesNotContain(entrypoint.Split('\n'), line => line.StartsWith("  override_version ", StringComparison.Ordinal));
    }

    [Fact]
    public void Entrypoint_OverrideOnStateVolume()
    {
        var entrypoint = Render(RepositoryLayout.AiCliManifest, "entrypoint.sh");

        Assert.Contains("  override_version claude-code CLAUDE_CODE_CLI_VERSION '@anthropic-ai/claude-code' '/home/hagicode/.claude/.hagi-versions' claude\n", entrypoint, StringComparison.Ordinal);
        Assert.Contains("  override_version gemini GEMINI_CLI_VERSION '@google/gemini-cli' '/home/hagicode/.gemini/.hagi-versions' gemini\n", entrypoint, StringComparison.Ordinal);
    }

    [Fact]
    public void ClaudeCodeImage_MergesSettings()
    {
        var path = Path.Combine(RepositoryLayout.ImagesDirectory, "claude-code", "image.json");
        var manifest = ManifestLoader.Load(path);

        var entrypoint = Render(path, "entrypoint.sh");

        Assert.Equal("hagicode/claude-code", manifest.Repository);
        Assert.Equal(["claude-code"], manifest.Clis.Select(cli => cli.Id));
        Assert.Contains("  apply_settings '/home/hagicode/.claude/settings.json' 'env' ANTHROPIC_AUTH_TOKEN", entrypoint, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_PassesRuntimeVariables()
    {
        var compose = Render(RepositoryLayout.AiCliManifest, "compose.yaml");

        Assert.Contains("      ANTHROPIC_AUTH_TOKEN_FILE:\n", compose, StringComparison.Ordinal);
        Assert.Contains("      CLAUDE_CODE_CLI_VERSION:\n", compose, StringComparison.Ordinal);
        Assert.Contains("      HAGI_CA_BUNDLE:\n", compose, StringComparison.Ordinal);
        Assert.Contains("      - ai-cli-gemini-gemini:/home/hagicode/.gemini\n", compose, StringComparison.Ordinal);
    }

    private static string Render(string manifestPath, string fileName) => RenderFile(ManifestLoader.Load(manifestPath), fileName);

    private static string RenderFile(ImageManifest manifest, string fileName) =>
        new RenderStage(Serilog.Core.Logger.None).RenderImage(manifest).Single(file => Path.GetFileName(file.Path) == fileName).Content;
}
