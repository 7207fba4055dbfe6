using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HagiImages.BuildImages;
using HagiImages.Npm;
using HagiImages.Pipeline;
using HagiImages.Tests.Npm;
using Serilog.Events;

namespace HagiImages.Tests.BuildImages;

/// <summary>Tests of the tarball store against the public npm registry, with two small real packages.</summary>
public sealed class PackageTarballStoreTests : IDisposable
{
    private const string IsNumberUrl = "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz";
    private const string IsNumberIntegrity = "sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==";
    private const string MsUrl = "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz";
    private const string MsIntegrity = "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==";

    // Nothing listens on port 9 (discard) of this machine, so a request to this URL fails.
    private const string UnreachableUrl = "http://127.0.0.1:9/x.tgz";

    private static readonly NpmPlatform LinuxX64 = NpmPlatform.DebianOn("x86_64");

    private readonly string root = Directory.CreateTempSubdirectory("hagi-test-tarballs-").FullName;
    private readonly (Serilog.ILogger Logger, InMemorySink Sink) log = InMemorySink.CreateLogger();
    private readonly NpmRegistryClient client;

    public PackageTarballStoreTests()
    {
        client = CreateClient(new NpmRegistryClientOptions());
    }

    private string StoreFolder => Path.Combine(root, "store");

    public void Dispose()
    {
        client.Dispose();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Fetch_DownloadsAndVerifies()
    {
        var lockPath = WriteLock(
            ("node_modules/ms", Entry("2.1.3", MsUrl, MsIntegrity)),
            ("node_modules/is-number", Entry("7.0.0", IsNumberUrl, IsNumberIntegrity)),
            ("node_modules/is-number/node_modules/ms", Entry("2.1.3", MsUrl, MsIntegrity)));

        var tarballs = await CreateStore().FetchAsync(lockPath, LinuxX64);

        Assert.Equal(["is-number@7.0.0", "ms@2.1.3"], tarballs.Select(tarball => $"{tarball.Package}@{tarball.Version}"));
        Assert.Equal(["is-number", "ms"], tarballs.Select(tarball => tarball.Package));
        Assert.Equal(["7.0.0", "2.1.3"], tarballs.Select(tarball => tarball.Version));
        Assert.Equal(StoredPath(IsNumberIntegrity), tarballs[0].Path);
        Assert.Equal(StoredPath(MsIntegrity), tarballs[1].Path);
        Assert.Equal(IsNumberIntegrity, IntegrityOf(tarballs[0].Path));
        Assert.Equal(MsIntegrity, IntegrityOf(tarballs[1].Path));
        Assert.Equal(2, LastDownloadCount());
    }

    [Fact]
    public async Task Fetch_SecondRunDownloadsNothing()
    {
        var lockPath = WriteLock(
            ("node_modules/is-number", Entry("7.0.0", IsNumberUrl, IsNumberIntegrity)),
            ("node_modules/ms", Entry("2.1.3", MsUrl, MsIntegrity)));
        var store = CreateStore();
        var first = await store.FetchAsync(lockPath, LinuxX64);
        var writeTimes = first.Select(tarball => File.GetLastWriteTimeUtc(tarball.Path)).ToList();

        var second = await store.FetchAsync(lockPath, LinuxX64);

        Assert.Equal(first, second);
        Assert.Equal(0, LastDownloadCount());
        Assert.Equal(writeTimes, second.Select(tarball => File.GetLastWriteTimeUtc(tarball.Path)));
    }

    [Fact]
    public async Task Fetch_ReplacesCorruptedFile()
    {
        var lockPath = WriteLock(("node_modules/ms", Entry("2.1.3", MsUrl, MsIntegrity)));
        var store = CreateStore();
        var stored = Assert.Single(await store.FetchAsync(lockPath, LinuxX64)).Path;
        File.WriteAllText(stored, "not the tarball");

        var again = Assert.Single(await store.FetchAsync(lockPath, LinuxX64));

        Assert.Equal(stored, again.Path);
        Assert.Equal(MsIntegrity, IntegrityOf(again.Path));
        Assert.Equal(1, LastDownloadCount());
        Assert.Contains(log.Sink.Events, logEvent => logEvent.Level == LogEventLevel.Warning && logEvent.RenderMessage().Contains(stored, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fetch_AlteredIntegrityFails()
    {
        var lockPath = WriteLock(("node_modules/is-number", Entry("7.0.0", IsNumberUrl, MsIntegrity)));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => CreateStore().FetchAsync(lockPath, LinuxX64));

        Assert.Contains("is-number@7.0.0", exception.Message, StringComparison.Ordinal);
        Assert.Contains(IsNumberUrl, exception.Message, StringComparison.Ordinal);
        Assert.Contains("integrity", exception.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(StoreFolder) ? Directory.EnumerateFiles(StoreFolder, "*", SearchOption.AllDirectories) : []);
    }

    [Theory]
    [InlineData("os", """["darwin"]""")]
    [InlineData("cpu", """["arm64"]""")]
    [InlineData("libc", """["musl"]""")]
    [InlineData("dev", "true")]
    [InlineData("inBundle", "true")]
    [InlineData("link", "true")]
    public async Task Fetch_LeavesOutEntry(string property, string value)
    {
        var entry = Entry("1.0.0", UnreachableUrl, MsIntegrity);
        entry[property] = JsonNode.Parse(value);
        var lockPath = WriteLock(("node_modules/left-out", entry));

        var tarballs = await CreateStore().FetchAsync(lockPath, LinuxX64);

        Assert.Empty(tarballs);
    }

    [Fact]
    public async Task Fetch_UnreachableUrlFails()
    {
        var lockPath = WriteLock(("node_modules/left-out", Entry("1.0.0", UnreachableUrl, MsIntegrity)));
        using var noRetries = CreateClient(new NpmRegistryClientOptions { MaxRetries = 0 });
        var store = new PackageTarballStore(noRetries, StoreFolder, log.Logger);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => store.FetchAsync(lockPath, LinuxX64));

        Assert.Contains(UnreachableUrl, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_RejectsFileUrl()
    {
        var lockPath = WriteLock(("node_modules/local", Entry("1.0.0", "file:vendor/local-1.0.0.tgz", MsIntegrity)));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => CreateStore().FetchAsync(lockPath, LinuxX64));

        Assert.Contains("'node_modules/local' (local@1.0.0)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'file:vendor/local-1.0.0.tgz', which is not an http(s) tarball URL", exception.Message, StringComparison.Ordinal);
        Assert.Contains(lockPath, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_RejectsMissingSha512()
    {
        const string Sha1 = "sha1-dTU0W4lnNNX4DE0GxQlVUnoU8Ss=";
        var lockPath = WriteLock(("node_modules/is-number", Entry("7.0.0", IsNumberUrl, Sha1)));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => CreateStore().FetchAsync(lockPath, LinuxX64));

        Assert.Contains("(is-number@7.0.0)", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Sha1}', with no sha512- value", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_RejectsMissingIntegrity()
    {
        var entry = Entry("7.0.0", IsNumberUrl, MsIntegrity);
        entry.Remove("integrity");
        var lockPath = WriteLock(("node_modules/is-number", entry));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => CreateStore().FetchAsync(lockPath, LinuxX64));

        Assert.Contains("(is-number@7.0.0)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("no sha512- value", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha512-not*base64")]
    [InlineData("sha512-dTU0W4lnNNX4DE0GxQlVUnoU8Ss=")]
    public async Task Fetch_RejectsMalformedSha512(string integrity)
    {
        var lockPath = WriteLock(("node_modules/is-number", Entry("7.0.0", UnreachableUrl, integrity)));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => CreateStore().FetchAsync(lockPath, LinuxX64));

        Assert.Contains("(is-number@7.0.0)", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"'{integrity}'", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(UnreachableUrl, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_MissingLockNamesPath()
    {
        var lockPath = Path.Combine(root, "missing", "package-lock.json");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => CreateStore().FetchAsync(lockPath, LinuxX64));

        Assert.Contains(lockPath, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_LockWithoutPackagesFails()
    {
        var lockPath = Path.Combine(root, "package-lock.json");
        File.WriteAllText(lockPath, """{ "lockfileVersion": 1, "dependencies": {} }""");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => CreateStore().FetchAsync(lockPath, LinuxX64));

        Assert.Contains(lockPath, exception.Message, StringComparison.Ordinal);
        Assert.Contains("no 'packages' object", exception.Message, StringComparison.Ordinal);
    }

    private PackageTarballStore CreateStore() => new(client, StoreFolder, log.Logger);

    private NpmRegistryClient CreateClient(NpmRegistryClientOptions options)
    {
        // No user .npmrc: the default registry, https://registry.npmjs.org/, without a token.
        var config = NpmConfig.Load(root, Path.Combine(root, "no-user.npmrc"), new Dictionary<string, string> { ["HOME"] = root });
        return new NpmRegistryClient(config, log.Logger, options);
    }

    private static JsonObject Entry(string version, string resolved, string integrity) => new()
    {
        ["version"] = version,
        ["resolved"] = resolved,
        ["integrity"] = integrity,
        ["license"] = "MIT",
    };

    private string WriteLock(params (string Key, JsonObject Entry)[] entries)
    {
        var packages = new JsonObject { [""] = new JsonObject { ["name"] = "tarball-test", ["version"] = "0.0.0" } };
        foreach (var (key, entry) in entries)
        {
            packages[key] = entry;
        }

        var path = Path.Combine(root, "package-lock.json");
        var lockFile = new JsonObject { ["name"] = "tarball-test", ["version"] = "0.0.0", ["lockfileVersion"] = 3, ["requires"] = true, ["packages"] = packages };
        File.WriteAllText(path, lockFile.ToJsonString());
        return path;
    }

    private string StoredPath(string integrity)
    {
        var hex = Convert.ToHexStringLower(Convert.FromBase64String(integrity["sha512-".Length..]));
        return Path.Combine(StoreFolder, hex[..2], hex + ".tgz");
    }

    private static string IntegrityOf(string path) => "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(path)));

    // The store logs one line per lock with the number of tarballs it downloaded.
    private int LastDownloadCount()
    {
        var summary = log.Sink.Events.Last(logEvent => logEvent.Properties.ContainsKey("Downloaded"));
        return (int)((ScalarValue)summary.Properties["Downloaded"]).Value!;
    }
}
