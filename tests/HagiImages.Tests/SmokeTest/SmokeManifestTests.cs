using HagiImages.Manifest;
using HagiImages.Pipeline;
using HagiImages.SmokeTest;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.SmokeTest;

public sealed class SmokeManifestTests
{
    private const string Smoke = """
        {
          "sizeBudgetMiB": 250.5,
          "commands": [
            {
              "name": "git-version",
              "command": ["git", "--version"],
              "environment": { "LANG": "C" },
              "user": "1000:1000",
              "expectedOutput": ["^git version \\d+"],
              "excludedOutput": ["warning"],
              "exitCode": 0
            },
            { "name": "false-fails", "command": ["false"], "exitCode": 1 }
          ],
          "files": [
            { "path": "/usr/local/bin/hagi-entrypoint", "owner": "root", "group": "0", "mode": "0755" },
            { "path": "/opt/hagi/build", "state": "absent" }
          ],
          "metadata": {
            "user": "root",
            "entrypoint": ["/usr/local/bin/hagi-entrypoint"],
            "environment": { "HOME": "/home/hagicode" },
            "labels": { "org.opencontainers.image.title": "sample" },
            "volumes": ["/data"],
            "workdir": "/home/hagicode"
          }
        }
        """;

    [Fact]
    public void Load_SmokeSection_Parsed()
    {
        using var temporary = new TemporaryDirectory();

        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.With("smoke", Smoke)));

        Assert.Equal(250.5, manifest.Smoke.SizeBudgetMiB);
        Assert.Equal(["git", "--version"], manifest.Smoke.Commands[0].Command);
        Assert.Equal("C", manifest.Smoke.Commands[0].Environment["LANG"]);
        Assert.Equal("1000:1000", manifest.Smoke.Commands[0].User);
        Assert.Equal(["^git version \\d+"], manifest.Smoke.Commands[0].ExpectedOutput);
        Assert.Equal(1, manifest.Smoke.Commands[1].ExitCode);
        Assert.Equal(SmokeFileState.Present, manifest.Smoke.Files[0].State);
        Assert.Equal("0755", manifest.Smoke.Files[0].Mode);
        Assert.Equal(SmokeFileState.Absent, manifest.Smoke.Files[1].State);
        Assert.Equal(["/usr/local/bin/hagi-entrypoint"], manifest.Smoke.Metadata!.Entrypoint);
        Assert.Equal("sample", manifest.Smoke.Metadata.Labels["org.opencontainers.image.title"]);
        Assert.Equal(["/data"], manifest.Smoke.Metadata.Volumes);
    }

    [Fact]
    public void Load_NoSmokeSection_Empty()
    {
        using var temporary = new TemporaryDirectory();

        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.Text));

        Assert.Equal(0, manifest.Smoke.SizeBudgetMiB);
        Assert.Empty(manifest.Smoke.Commands);
        Assert.Empty(manifest.Smoke.Files);
        Assert.Null(manifest.Smoke.Metadata);
    }

    [Fact]
    public void Load_UnknownSmokeField_NamesField()
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, SampleManifest.With("smoke", """{ "commands": [{ "name": "a", "command": ["a"], "shouldExist": true }] }"""));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains("'shouldExist'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "sizeBudgetMiB": -1 }""", "$.smoke.sizeBudgetMiB:")]
    [InlineData("""{ "commands": [{ "name": "Git", "command": ["git"] }] }""", "$.smoke.commands[0].name:")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"] }, { "name": "a", "command": ["b"] }] }""", "$.smoke.commands[1].name:")]
    [InlineData("""{ "commands": [{ "name": "a", "command": [] }] }""", "$.smoke.commands[0].command:")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"], "expectedOutput": ["ok", "(unclosed"] }] }""", "$.smoke.commands[0].expectedOutput[1]:")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"], "excludedOutput": ["[z-a]"] }] }""", "$.smoke.commands[0].excludedOutput[0]:")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"], "exitCode": 256 }] }""", "$.smoke.commands[0].exitCode:")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"], "user": "root; id" }] }""", "$.smoke.commands[0].user:")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"], "environment": { "1X": "y" } }] }""", "$.smoke.commands[0].environment:")]
    [InlineData("""{ "files": [{ "path": "relative/file" }] }""", "$.smoke.files[0].path:")]
    [InlineData("""{ "files": [{ "path": "/a" }, { "path": "/a" }] }""", "$.smoke.files[1].path:")]
    [InlineData("""{ "files": [{ "path": "/a", "mode": "rwxr-xr-x" }] }""", "$.smoke.files[0].mode:")]
    [InlineData("""{ "files": [{ "path": "/a", "mode": "0789" }] }""", "$.smoke.files[0].mode:")]
    [InlineData("""{ "files": [{ "path": "/a", "owner": "a b" }] }""", "$.smoke.files[0].owner:")]
    [InlineData("""{ "files": [{ "path": "/a", "state": "absent", "mode": "0755" }] }""", "$.smoke.files[0]:")]
    [InlineData("""{ "metadata": { "entrypoint": [] } }""", "$.smoke.metadata.entrypoint:")]
    [InlineData("""{ "metadata": { "volumes": ["data"] } }""", "$.smoke.metadata.volumes[0]:")]
    [InlineData("""{ "metadata": { "workdir": "home" } }""", "$.smoke.metadata.workdir:")]
    public void Load_InvalidSmokeEntry_NamesJsonPath(string smoke, string expectedPath)
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, SampleManifest.With("smoke", smoke));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains(expectedPath, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileStateUnknown_Rejected()
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, SampleManifest.With("smoke", """{ "files": [{ "path": "/a", "state": "missing" }] }"""));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains("$.smoke.files[0].state", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AiCliManifest_DeclaresSmokeChecks()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);

        var names = SmokeTestStage.DeclaredChecks(manifest).Select(check => check.Name).ToList();

        Assert.Contains("command-node-major", names);
        Assert.Contains("file:/usr/local/bin/hagi-entrypoint", names);
        Assert.Contains("metadata", names);
    }

    [Fact]
    public void AllChecks_Names_Unique()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);

        var names = SmokeTestStage.AllChecks(manifest).Select(check => check.Name).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Select_KnownNames_KeepsOrder()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);
        var all = new Dictionary<string, IReadOnlyList<ISmokeCheck>> { ["ai-cli"] = SmokeTestStage.AllChecks(manifest) };

        var selected = SmokeTestStage.Select(all, ["metadata", "runs-as-non-root"]);

        Assert.Equal(["runs-as-non-root", "metadata"], selected["ai-cli"].Select(check => check.Name));
    }

    [Fact]
    public void Select_UnknownName_ListsKnownNames()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);
        var all = new Dictionary<string, IReadOnlyList<ISmokeCheck>> { ["ai-cli"] = SmokeTestStage.AllChecks(manifest) };

        var exception = Assert.Throws<PipelineException>(() => SmokeTestStage.Select(all, ["no-such-check"]));

        Assert.Contains("'no-such-check'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("no-build-secrets", exception.Message, StringComparison.Ordinal);
    }
}
