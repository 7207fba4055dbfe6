using HagiImages.Pipeline;
using HagiImages.Resolve;
using HagiImages.Tests.Fixtures;
using HagiImages.Tests.Npm;

namespace HagiImages.Tests.Resolve;

/// <summary>Bumps the lock file of a test manifest against packages published to a real Verdaccio registry.</summary>
[Collection("verdaccio")]
public sealed class VerdaccioBumpTests : IDisposable
{
    private readonly Verdaccio? _registry;
    private readonly VerdaccioProject? _project;

    public VerdaccioBumpTests(VerdaccioFixture fixture)
    {
        _registry = fixture.Registry;
        _project = _registry is null ? null : new VerdaccioProject(_registry);
    }

    private static FixedTimeProvider Later => new(DateTimeOffset.UtcNow + TimeSpan.FromDays(10));

    public void Dispose() => _project?.Dispose();

    [Fact]
    public async Task BumpWritesPins()
    {
        if (_project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0"), new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later);

        var result = await stage.BumpAsync(manifest);

        var imageLock = ImageLockStore.Read(manifest);
        Assert.True(result.Written);
        Assert.Equal(4, result.Changes.Count);
        Assert.Equal(VerdaccioFixture.NodeVersion, imageLock.Node.Version);
        Assert.Equal("10.8.0", imageLock.Npm.Version);
        Assert.Equal("1.1.0", imageLock.Clis["range"].Version);
        Assert.Equal("1.1.0", imageLock.Clis["secret"].Version);
        Assert.StartsWith("sha512-", imageLock.Clis["secret"].Integrity, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondBumpKeepsBytes()
    {
        if (_project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later);
        await stage.BumpAsync(manifest);
        var first = File.ReadAllBytes(ImageLockStore.PathFor(manifest));

        var result = await _project.CreateStage(Later).BumpAsync(manifest);

        Assert.Equal(first, File.ReadAllBytes(ImageLockStore.PathFor(manifest)));
        Assert.False(result.Written);
        Assert.Empty(result.Changes);
    }

    [Fact]
    public async Task BumpToPublishedVersion()
    {
        if (_project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0"), new TestCli("old", VerdaccioFixture.DeprecatedPackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later);
        await stage.BumpAsync(manifest);

        var result = await stage.BumpAsync(manifest, "range", "1.3.0");

        var imageLock = ImageLockStore.Read(manifest);
        Assert.Equal("1.3.0", imageLock.Clis["range"].Version);
        Assert.Equal("1.0.0", imageLock.Clis["old"].Version);
        Assert.Equal([new PinChange("range", VerdaccioFixture.RangePackage, "1.1.0", "1.3.0")], result.Changes);
    }

    [Fact]
    public async Task BumpToUnpublishedKeepsLock()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later);
        await stage.BumpAsync(manifest);
        var before = File.ReadAllBytes(ImageLockStore.PathFor(manifest));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => stage.BumpAsync(manifest, "range", "1.9.9"));

        Assert.Contains($"Version 1.9.9 of package '{VerdaccioFixture.RangePackage}' is not published on registry {_registry.Url}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("the newest published version is 2.0.0-beta.1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("was left unchanged", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(ImageLockStore.PathFor(manifest)));
        Assert.Equal([ImageLockStore.FileName], Directory.GetFiles(manifest.Directory).Select(Path.GetFileName).Where(name => name != "image.json"));
    }

    [Fact]
    public async Task ResolveAfterBumpUpToDate()
    {
        if (_project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("engines", VerdaccioFixture.EnginesPackage, "^1.0.0"), new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later);
        await stage.BumpAsync(manifest);

        var report = await stage.ResolveAsync(manifest);

        Assert.Equal(ResolutionStatus.UpToDate, report.Packages.Single(package => package.Id == "node").Status);
        Assert.Equal(ResolutionStatus.UpToDate, report.Packages.Single(package => package.Id == "secret").Status);
        Assert.Equal(ResolutionStatus.HeldBack, report.Packages.Single(package => package.Id == "engines").Status);
    }

    [Fact]
    public async Task ChangedIntegrityFailsBump()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later);
        await stage.BumpAsync(manifest);
        var lockPath = ImageLockStore.PathFor(manifest);
        var pinned = ImageLockStore.Read(manifest).Clis["secret"].Integrity;
        var forged = "sha512-" + Convert.ToBase64String(new byte[64]);
        File.WriteAllText(lockPath, File.ReadAllText(lockPath).Replace(pinned, forged, StringComparison.Ordinal));
        var before = File.ReadAllBytes(lockPath);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => stage.BumpAsync(manifest));

        Assert.Contains($"has integrity {forged} in the lock file, but registry {_registry.Url} now reports {pinned}", exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(lockPath));
    }
}
