using HagiImages.Manifest;
using HagiImages.Pipeline;

namespace HagiImages.Tests.Manifest;

public sealed class ManifestLoaderTests
{
    [Fact]
    public void Load_RealAiCli_Loads()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);

        Assert.Equal("ai-cli", manifest.Name);
        Assert.Equal("hagicode/ai-cli", manifest.Repository);
        Assert.Equal(["claude-code", "codex", "opencode", "gemini"], manifest.Clis.Select(cli => cli.Id));
        Assert.Equal(RepositoryLayout.AiCliDirectory, manifest.Directory);
    }

    [Fact]
    public void Load_RealAiCli_ReadsEnumsAndDefaults()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);
        var claude = manifest.Clis[0];

        Assert.Equal(MissingPublishTime.Hold, manifest.Policy.MissingPublishTime);
        Assert.Equal([StatePathKind.Directory, StatePathKind.File], claude.State.Select(state => state.Kind));
        Assert.Equal(["claude", "--version"], claude.EffectiveVersionCommand());
        Assert.Null(claude.Policy);
    }

    [Fact]
    public void Load_Sample_ReadsEveryField()
    {
        using var temporary = new TemporaryDirectory();

        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.Text));
        var tool = manifest.Clis[0];

        Assert.Equal("Sample image for tests", manifest.Description);
        Assert.Equal("10", manifest.Node.Npm);
        Assert.Equal(1000, manifest.User.Gid);
        Assert.Equal(["tool", "--version"], tool.VersionCommand);
        Assert.Equal("1", tool.Environment["TOOL_NO_UPDATE"]);
        Assert.Equal(MissingPublishTime.AllowWithWarning, tool.Policy?.MissingPublishTime);
        Assert.Equal(1, tool.Policy?.MinimumReleaseAgeDays);
    }

    [Fact]
    public void Load_OptionalFieldsMissing_Defaults()
    {
        using var temporary = new TemporaryDirectory();
        var json = SampleManifest.Create();
        json.Remove("description");
        json.Remove("policy");
        json["node"]!.AsObject().Remove("npm");
        json["user"]!.AsObject().Remove("uid");
        json["user"]!.AsObject().Remove("gid");

        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, json));
        var other = manifest.Clis[1];

        Assert.Equal("", manifest.Description);
        Assert.Equal("10", manifest.Node.Npm);
        Assert.Equal(1000, manifest.User.Uid);
        Assert.Equal(1000, manifest.User.Gid);
        Assert.Equal(3, manifest.Policy.MinimumReleaseAgeDays);
        Assert.Equal(MissingPublishTime.Hold, manifest.Policy.MissingPublishTime);
        Assert.Empty(other.State);
        Assert.Empty(other.Environment);
        Assert.Equal(["other", "--version"], other.EffectiveVersionCommand());
    }

    [Fact]
    public void Load_StateKindMissing_Directory()
    {
        using var temporary = new TemporaryDirectory();
        var json = SampleManifest.With("clis[0].state[1]", """{ "path": "~/.tool-cache" }""");

        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, json));

        Assert.Equal(StatePathKind.Directory, manifest.Clis[0].State[1].Kind);
    }

    [Fact]
    public void Load_Comments_Skipped()
    {
        using var temporary = new TemporaryDirectory();
        var text = SampleManifest.Text.Replace("\"name\": \"sample\",", "// The folder name.\n  \"name\": \"sample\", /* inline */", StringComparison.Ordinal);

        var manifest = ManifestLoader.Load(SampleManifest.Write(temporary.Path, text));

        Assert.Equal("sample", manifest.Name);
    }

    [Fact]
    public void Load_UnknownField_NamesField()
    {
        using var temporary = new TemporaryDirectory();
        var json = SampleManifest.Create();
        json["colour"] = "red";
        var path = SampleManifest.Write(temporary.Path, json);

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Contains("unknown field 'colour'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("image.schema.json", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownNestedField_NamesPath()
    {
        using var temporary = new TemporaryDirectory();
        var json = SampleManifest.Create();
        json["clis"]![1]!["executable"] = "other";
        var path = SampleManifest.Write(temporary.Path, json);

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains("$.clis[1]", exception.Message, StringComparison.Ordinal);
        Assert.Contains("unknown field 'executable'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SchemaPropertyNested_Rejected()
    {
        using var temporary = new TemporaryDirectory();
        var json = SampleManifest.Create();
        json["node"]!["$schema"] = "x";
        var path = SampleManifest.Write(temporary.Path, json);

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains("unknown field '$schema'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user.uid", "\"1000\"", "$.user.uid")]
    [InlineData("user.uid", "99999999999", "$.user.uid")]
    [InlineData("user.gid", "10.5", "$.user.gid")]
    [InlineData("clis[0].executables", "\"tool\"", "$.clis[0].executables")]
    [InlineData("clis[0].environment", "{ \"A\": 1 }", "$.clis[0].environment.A")]
    [InlineData("policy.missingPublishTime", "\"allow\"", "$.policy.missingPublishTime")]
    [InlineData("policy.missingPublishTime", "\"AllowWithWarning\"", "$.policy.missingPublishTime")]
    [InlineData("policy.missingPublishTime", "1", "$.policy.missingPublishTime")]
    [InlineData("clis[0].state[0].kind", "\"folder\"", "$.clis[0].state[0].kind")]
    [InlineData("name", "null", "$.name")]
    [InlineData("clis", "null", "$.clis")]
    public void Load_WrongType_NamesPath(string path, string json, string expectedPath)
    {
        using var temporary = new TemporaryDirectory();
        var manifestPath = SampleManifest.Write(temporary.Path, SampleManifest.With(path, json));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(manifestPath));

        Assert.Contains($"invalid at {expectedPath}:", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Fix the value", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"allow\"", "'allow' is not one of 'hold', 'allow-with-warning'")]
    [InlineData("\"Hold\"", "'Hold' is not one of 'hold', 'allow-with-warning'")]
    [InlineData("\"hold, allow-with-warning\"", "'hold, allow-with-warning' is not one of")]
    [InlineData("1", "a JSON number is not one of 'hold', 'allow-with-warning'")]
    public void Load_InvalidEnum_ListsNames(string json, string expected)
    {
        using var temporary = new TemporaryDirectory();
        var manifestPath = SampleManifest.Write(temporary.Path, SampleManifest.With("policy.missingPublishTime", json));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(manifestPath));

        Assert.Contains($"invalid at $.policy.missingPublishTime: {expected}", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("repository")]
    [InlineData("node.registryImage")]
    [InlineData("user.name")]
    [InlineData("clis[0].executables")]
    [InlineData("clis[0].state[0].path")]
    public void Load_RequiredFieldMissing_NamesField(string path)
    {
        using var temporary = new TemporaryDirectory();
        var manifestPath = SampleManifest.Write(temporary.Path, SampleManifest.Without(path));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(manifestPath));

        Assert.Contains($"'{path.Split('.')[^1]}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("missing required properties", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidJson_NamesLine()
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, "{\n  \"name\": \"sample\",\n  \"repository\": hagicode\n}\n");

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid JSON (line 3,", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TrailingComma_NamesLine()
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, "{\n  \"name\": \"sample\",\n}\n");

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains("is not valid JSON (line 3,", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateProperty_Rejected()
    {
        using var temporary = new TemporaryDirectory();
        var text = SampleManifest.Text.Replace("\"name\": \"sample\",", "\"name\": \"sample\",\n  \"name\": \"other\",", StringComparison.Ordinal);
        var path = SampleManifest.Write(temporary.Path, text);

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Contains("'name'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_JsonNull_Empty()
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, "null");

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains("is empty", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderMismatch_NamesFolder()
    {
        using var temporary = new TemporaryDirectory();
        var path = SampleManifest.Write(temporary.Path, SampleManifest.Text, "renamed");

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains("$.name: 'sample' differs from the folder name 'renamed'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesPath()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, "images", "sample", "image.json");

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.Load(path));

        Assert.Contains($"'{path}' was not found", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_NoManifests_Rejected()
    {
        using var temporary = new TemporaryDirectory();
        var images = Path.Combine(temporary.Path, "images");
        Directory.CreateDirectory(Path.Combine(images, "templates"));

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.LoadAll(images));

        Assert.Contains($"No image manifest was found under '{images}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Add a folder with an image.json file", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_MissingFolder_Rejected()
    {
        using var temporary = new TemporaryDirectory();
        var images = Path.Combine(temporary.Path, "images");

        var exception = Assert.Throws<PipelineException>(() => ManifestLoader.LoadAll(images));

        Assert.Contains($"'{images}' was not found", exception.Message, StringComparison.Ordinal);
        Assert.Contains("--images PATH", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_TwoImages_SortedByName()
    {
        using var temporary = new TemporaryDirectory();
        SampleManifest.Write(temporary.Path, SampleManifest.With("name", "\"zeta\""));
        SampleManifest.Write(temporary.Path, SampleManifest.With("name", "\"alpha\""));
        Directory.CreateDirectory(Path.Combine(temporary.Path, "images", "templates"));

        var manifests = ManifestLoader.LoadAll(Path.Combine(temporary.Path, "images"));

        Assert.Equal(["alpha", "zeta"], manifests.Select(manifest => manifest.Name));
    }

    [Fact]
    public void LoadAll_RealImages_ContainsAiCli()
    {
        var manifests = ManifestLoader.LoadAll(RepositoryLayout.ImagesDirectory);

        Assert.Contains(manifests, manifest => manifest.Name == "ai-cli");
    }
}
