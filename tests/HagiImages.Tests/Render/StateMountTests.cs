using HagiImages.Manifest;
using HagiImages.Pipeline;
using HagiImages.Render;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.Render;

public sealed class StateMountTests
{
    [Fact]
    public void ForImage_Directory_VolumeAtPath()
    {
        var mounts = StateMount.ForImage(ManifestLoader.Load(RepositoryLayout.AiCliManifest));

        var codex = Assert.Single(mounts, mount => mount.CliId == "codex");

        Assert.Equal(StatePathKind.Directory, codex.Kind);
        Assert.Equal("ai-cli-codex-codex", codex.Volume);
        Assert.Equal("/home/hagicode/.codex", codex.Mount);
        Assert.Null(codex.Link);
        Assert.Null(codex.Target);
    }

    [Fact]
    public void ForImage_File_LinkIntoVolume()
    {
        var mounts = StateMount.ForImage(ManifestLoader.Load(RepositoryLayout.AiCliManifest));

        var file = Assert.Single(mounts, mount => mount.Kind == StatePathKind.File);

        Assert.Equal("claude-code", file.CliId);
        Assert.Equal("ai-cli-claude-code-claude-json", file.Volume);
        Assert.Equal("/home/hagicode/.hagi/state/claude-code-claude-json", file.Mount);
        Assert.Equal("/home/hagicode/.claude.json", file.Link);
        Assert.Equal("/home/hagicode/.hagi/state/claude-code-claude-json/.claude.json", file.Target);
    }

    [Fact]
    public void ForImage_NestedDirectory_PartsJoined()
    {
        var mounts = StateMount.ForImage(ManifestLoader.Load(RepositoryLayout.AiCliManifest));

        Assert.Equal(
            ["ai-cli-claude-code-claude", "ai-cli-claude-code-claude-json", "ai-cli-codex-codex", "ai-cli-opencode-local-share-opencode", "ai-cli-opencode-config-opencode", "ai-cli-gemini-gemini"],
            mounts.Select(mount => mount.Volume));
        Assert.Equal("/home/hagicode/.local/share/opencode", mounts[3].Mount);
    }

    [Fact]
    public void ForImage_NestedFile_LinkKeepsFolder()
    {
        var manifest = ManifestWithState(new StatePath { Path = "~/.config/Tool/settings.json", Kind = StatePathKind.File });

        var mount = Assert.Single(StateMount.ForImage(manifest));

        Assert.Equal("sample-tool-config-tool-settings-json", mount.Volume);
        Assert.Equal("/home/hagicode/.hagi/state/tool-config-tool-settings-json", mount.Mount);
        Assert.Equal("/home/hagicode/.config/Tool/settings.json", mount.Link);
        Assert.Equal("/home/hagicode/.hagi/state/tool-config-tool-settings-json/settings.json", mount.Target);
    }

    [Fact]
    public void ForImage_TwoPathsOneVolumeName_Rejected()
    {
        var manifest = ManifestWithState(new StatePath { Path = "~/.tool_data" }, new StatePath { Path = "~/.tool.data" });

        var exception = Assert.Throws<PipelineException>(() => StateMount.ForImage(manifest));

        Assert.Contains("'~/.tool_data'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'~/.tool.data'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'sample-tool-tool-data'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HomeOf_UserName()
    {
        Assert.Equal("/home/hagicode", StateMount.HomeOf(ManifestLoader.Load(RepositoryLayout.AiCliManifest)));
    }

    private static ImageManifest ManifestWithState(params StatePath[] state) => new()
    {
        Name = "sample",
        Repository = "hagicode/sample",
        Node = new NodeSettings { Version = "22", RegistryImage = "node:22-bookworm-slim" },
        User = new UserSettings { Name = "hagicode" },
        Clis = [new CliDefinition { Id = "tool", Package = "tool", Version = "latest", Executables = ["tool"], State = state }],
    };
}
