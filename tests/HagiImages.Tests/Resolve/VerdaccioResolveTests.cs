using System.Security.Cryptography;
using HagiImages.Manifest;
using HagiImages.Resolve;
using HagiImages.Tests.Fixtures;
using HagiImages.Tests.Npm;

namespace HagiImages.Tests.Resolve;

/// <summary>
/// Resolves test manifests through <see cref="ResolveStage"/> against packages that were published to a real
/// Verdaccio registry with npm. Publish times are real, so tests that need old versions use a clock 10 days ahead.
/// </summary>
[Collection("verdaccio")]
public sealed class VerdaccioResolveTests : IDisposable
{
    private static readonly TimeSpan Ahead = TimeSpan.FromDays(10);

    private readonly Verdaccio? _registry;
    private readonly VerdaccioProject? _project;

    public VerdaccioResolveTests(VerdaccioFixture fixture)
    {
        _registry = fixture.Registry;
        _project = _registry is null ? null : new VerdaccioProject(_registry);
    }

    private static FixedTimeProvider Later => new(DateTimeOffset.UtcNow + Ahead);

    public void Dispose() => _project?.Dispose();

    [Fact]
    public async Task NodeAndNpmSkipPrereleaseAndEngines()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0"));

        Assert.True(report.Succeeded, string.Join('\n', report.Errors));
        Assert.Equal(VerdaccioFixture.NodeVersion, Find(report, "node").Pin?.Version);
        Assert.Equal("10.8.0", Find(report, "npm").Pin?.Version);
    }

    [Fact]
    public async Task RangePicksNewestAllowed()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("range", VerdaccioFixture.RangePackage, ">=1.2.0"));

        var range = Find(report, "range");
        Assert.Equal("1.3.0", range.Pick?.Version);
        Assert.StartsWith("newest allowed version", range.Pick?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RangeTakesLatestWhenInside()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0"));

        var range = Find(report, "range");
        Assert.Equal("1.1.0", range.Pick?.Version);
        Assert.StartsWith("dist-tag 'latest'", range.Pick?.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("next", "2.0.0-beta.1")]
    [InlineData("^2.0.0-beta.0", "2.0.0-beta.1")]
    [InlineData("2.0.0-beta.1", "2.0.0-beta.1")]
    [InlineData(">=1.3.0", "1.3.0")]
    [InlineData("*", "1.1.0")]
    public async Task PrereleaseOnlyWhenAsked(string spec, string expected)
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("range", VerdaccioFixture.RangePackage, spec));

        Assert.Equal(expected, Find(report, "range").Pick?.Version);
    }

    [Fact]
    public async Task DeprecatedLatestSkipped()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("old", VerdaccioFixture.DeprecatedPackage, "^1.0.0"));

        var pick = Find(report, "old").Pick;
        Assert.Equal("1.0.0", pick?.Version);
        Assert.Empty(pick?.Warnings ?? ["no pick"]);
    }

    [Fact]
    public async Task DeprecatedExactWarns()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("old", VerdaccioFixture.DeprecatedPackage, "1.1.0"));

        var pick = Find(report, "old").Pick;
        Assert.Equal("1.1.0", pick?.Version);
        Assert.Contains(pick?.Warnings ?? [], warning => warning.Contains("broken build, use 1.0.0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnginesRejectingNodeSkipped()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("engines", VerdaccioFixture.EnginesPackage, "^1.0.0"));

        var pick = Find(report, "engines").Pick;
        Assert.Equal("1.0.0", pick?.Version);
        Assert.Equal("1.1.0", pick?.HeldBack?.Version);
        Assert.Contains("requires Node >=24", pick?.HeldBack?.Reason, StringComparison.Ordinal);
        Assert.Null(pick?.HeldBack?.Until);
    }

    [Fact]
    public async Task EnginesRejectExactVersion()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("engines", VerdaccioFixture.EnginesPackage, "1.1.0"));

        var error = Find(report, "engines").Error;
        Assert.Contains("requires Node >=24", error, StringComparison.Ordinal);
        Assert.Contains($"the image's Node is {VerdaccioFixture.NodeVersion}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldBackGivesUntil()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        // The image policy lets the fresh Node and npm through; the CLI's own policy holds back 1.1.0, which was
        // published seconds ago, while 1.0.0 was moved 10 days back in storage.
        var manifest = _project.WriteManifest([new TestCli("fresh", VerdaccioFixture.FreshPackage, "^1.0.0", MinimumReleaseAgeDays: 3)], minimumReleaseAgeDays: 0);
        var stage = _project.CreateStage(TimeProvider.System);

        var report = await stage.ResolveAsync(manifest);

        var document = await _registry.GetDocumentAsync(VerdaccioFixture.FreshPackage);
        var published = DateTimeOffset.Parse(document["time"]!["1.1.0"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var pick = Find(report, "fresh").Pick;
        Assert.Equal("1.0.0", pick?.Version);
        Assert.Equal("1.1.0", pick?.HeldBack?.Version);
        Assert.Equal(published + TimeSpan.FromDays(3), pick?.HeldBack?.Until);
        Assert.Contains("under the minimum release age of 3 days", pick?.HeldBack?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldBackReleasedLater()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("fresh", VerdaccioFixture.FreshPackage, "^1.0.0"));

        var pick = Find(report, "fresh").Pick;
        Assert.Equal("1.1.0", pick?.Version);
        Assert.Null(pick?.HeldBack);
    }

    [Fact]
    public async Task HoldBackAllFails()
    {
        if (_project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0", MinimumReleaseAgeDays: 3)], minimumReleaseAgeDays: 0);
        var stage = _project.CreateStage(TimeProvider.System);

        var report = await stage.ResolveAsync(manifest);

        var error = Find(report, "range").Error;
        Assert.Contains($"No version of package '{VerdaccioFixture.RangePackage}'", error, StringComparison.Ordinal);
        Assert.Contains("held back until", error, StringComparison.Ordinal);
        Assert.Equal(VerdaccioFixture.NodeVersion, Find(report, "node").Pin?.Version);
    }

    [Fact]
    public async Task MissingTimesHeld()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("undated", VerdaccioFixture.UndatedPackage, "^1.0.0"));

        var error = Find(report, "undated").Error;
        Assert.Contains("has no publish time in the registry and policy.missingPublishTime is 'hold'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTimesAllowedWithWarning()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("undated", VerdaccioFixture.UndatedPackage, "^1.0.0", MinimumReleaseAgeDays: 3, MissingPublishTime: "allow-with-warning"));

        var pick = Find(report, "undated").Pick;
        Assert.Equal("1.0.0", pick?.Version);
        Assert.Null(pick?.Published);
        Assert.Contains(pick?.Warnings ?? [], warning => warning.Contains("has no publish time", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScopedWithToken()
    {
        if (_project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0"));

        Assert.True(report.Succeeded, string.Join('\n', report.Errors));
        Assert.Equal("1.1.0", Find(report, "secret").Pick?.Version);
        Assert.Equal(VerdaccioFixture.NodeVersion, Find(report, "node").Pin?.Version);
    }

    [Fact]
    public async Task ScopedWithoutTokenFails()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later, token: "");

        var report = await stage.ResolveAsync(manifest);

        var error = Find(report, "secret").Error;
        Assert.Contains($"GET {_registry.Url}@hagi-test%2Fsecret failed with HTTP 401", error, StringComparison.Ordinal);
        Assert.Contains("no token is configured for it", error, StringComparison.Ordinal);
        Assert.Contains($"//127.0.0.1:{_registry.Port}/:_authToken", error, StringComparison.Ordinal);
        Assert.Equal(VerdaccioFixture.NodeVersion, Find(report, "node").Pin?.Version);
    }

    [Fact]
    public async Task ScopedWithWrongTokenFails()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        const string wrongToken = "d3JvbmctdG9rZW4tZm9yLWhhZ2ktdGVzdA";
        var manifest = _project.WriteManifest([new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later, token: wrongToken);

        var report = await stage.ResolveAsync(manifest);

        var error = Find(report, "secret").Error;
        Assert.Contains($"GET {_registry.Url}@hagi-test%2Fsecret failed with HTTP 401", error, StringComparison.Ordinal);
        Assert.Contains("the token configured for it was rejected", error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongToken, error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongToken, _project.Sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenNotLogged()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0"));

        Assert.True(report.Succeeded, string.Join('\n', report.Errors));
        Assert.NotEmpty(_project.Sink.Events);
        Assert.DoesNotContain(_registry.Token, _project.Sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPackageNotFound()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("missing", "hagi-missing", "^1.0.0"));

        var error = Find(report, "missing").Error;
        Assert.Contains($"Package 'hagi-missing' was not found on registry {_registry.Url}", error, StringComparison.Ordinal);
        Assert.Contains($"GET {_registry.Url}hagi-missing returned HTTP 404", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinMatchesTarball()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        var report = await ResolveAsync(new TestCli("secret", VerdaccioFixture.ScopedPackage, "^1.0.0"));

        var pin = Find(report, "secret").Pin!;
        var tarball = await _registry.DownloadAsync(pin.Tarball);
        Assert.Equal($"sha512-{Convert.ToBase64String(SHA512.HashData(tarball))}", pin.Integrity);
        Assert.StartsWith(_registry.Url.ToString(), pin.Tarball, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuspendedRegistryTimesOut()
    {
        if (_registry is null || _project is null)
        {
            return;
        }

        var manifest = _project.WriteManifest([new TestCli("range", VerdaccioFixture.RangePackage, "^1.0.0")]);
        var stage = _project.CreateStage(Later, timeout: TimeSpan.FromSeconds(1));

        ResolveReport report;
        await _registry.SuspendAsync();
        try
        {
            report = await stage.ResolveAsync(manifest);
        }
        finally
        {
            await _registry.ResumeAsync();
        }

        var error = Find(report, "node").Error;
        Assert.Contains($"GET {_registry.Url}{ResolveStage.NodePackage} timed out after 1 s", error, StringComparison.Ordinal);
        Assert.Contains($"GET {_registry.Url}{VerdaccioFixture.RangePackage} timed out after 1 s", Find(report, "range").Error, StringComparison.Ordinal);
    }

    private async Task<ResolveReport> ResolveAsync(TestCli cli)
    {
        var manifest = _project!.WriteManifest([cli]);
        var stage = _project.CreateStage(Later);
        return await stage.ResolveAsync(manifest);
    }

    private static PackageResolution Find(ResolveReport report, string id) => report.Packages.Single(package => package.Id == id);
}
