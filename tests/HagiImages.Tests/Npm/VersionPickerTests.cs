using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Pipeline;

namespace HagiImages.Tests.Npm;

public sealed class VersionPickerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly PickPolicy Policy = new() { NodeVersion = NpmVersion.Parse("22.12.0") };

    private readonly VersionPicker _picker = new(new FixedTimeProvider(Now));

    private static DateTimeOffset DaysAgo(double days) => Now - TimeSpan.FromDays(days);

    [Fact]
    public void ExactVersionIsTaken()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(20)).Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "1.0.0", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Equal("exact version", result.Reason);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void ExactUnpublishedFails()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(30)).Tag("latest", "1.0.0").Build();

        var exception = Assert.Throws<PipelineException>(() => _picker.Pick(document, "1.0.1", Policy));

        Assert.Contains("1.0.1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("'tool'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("https://registry.example.test/", exception.Message, StringComparison.Ordinal);
        Assert.Contains("not published", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExactDeprecatedWarns()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(30), deprecated: "use 2.x").Tag("latest", "1.0.0").Build();

        var result = _picker.Pick(document, "1.0.0", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Contains(result.Warnings, warning => warning.Contains("use 2.x", StringComparison.Ordinal));
    }

    [Fact]
    public void ExactEngineViolationFails()
    {
        var document = new PackageDocumentBuilder("tool").Version("2.0.0", DaysAgo(30), engines: ">=24").Tag("latest", "2.0.0").Build();

        var exception = Assert.Throws<PipelineException>(() => _picker.Pick(document, "2.0.0", Policy));

        Assert.Contains(">=24", exception.Message, StringComparison.Ordinal);
        Assert.Contains("22.12.0", exception.Message, StringComparison.Ordinal);
        Assert.Contains("2.0.0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExactTooNewWarns()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(1)).Tag("latest", "1.0.0").Build();

        var result = _picker.Pick(document, "1.0.0", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Single(result.Warnings);
    }

    [Fact]
    public void TagGivesItsVersion()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(30)).Version("2.0.0-rc.1", DaysAgo(10)).Tag("latest", "1.0.0").Tag("next", "2.0.0-rc.1").Build();

        var result = _picker.Pick(document, "next", Policy);

        Assert.Equal("2.0.0-rc.1", result.Version);
        Assert.Equal("dist-tag 'next'", result.Reason);
        Assert.Null(result.HeldBack);
    }

    [Fact]
    public void UnknownTagListsTags()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(30)).Version("2.0.0-rc.1", DaysAgo(10)).Tag("latest", "1.0.0").Tag("next", "2.0.0-rc.1").Build();

        var exception = Assert.Throws<PipelineException>(() => _picker.Pick(document, "beta", Policy));

        Assert.Contains("'beta'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("latest (1.0.0)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("next (2.0.0-rc.1)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooNewTagFallsBack()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(10)).Version("1.2.0", DaysAgo(1))
            .Tag("latest", "1.2.0").Build();

        var result = _picker.Pick(document, "latest", Policy);

        Assert.Equal("1.1.0", result.Version);
        Assert.Equal("1.2.0", result.HeldBack?.Version);
        Assert.Equal(DaysAgo(1) + TimeSpan.FromDays(3), result.HeldBack?.Until);
    }

    [Fact]
    public void TagFallbackSkipsEngineViolation()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30), engines: ">=18").Version("2.0.0", DaysAgo(10), engines: ">=24")
            .Tag("latest", "2.0.0").Build();

        var result = _picker.Pick(document, "latest", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Contains(">=24", result.HeldBack?.Reason, StringComparison.Ordinal);
        Assert.Null(result.HeldBack?.Until);
    }

    [Fact]
    public void RangePrefersLatestTag()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(20)).Version("1.2.0", DaysAgo(10))
            .Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "^1.0.0", Policy);

        Assert.Equal("1.1.0", result.Version);
        Assert.Contains("latest", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RangeTakesNewestWhenLatestOutside()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(20)).Version("2.0.0", DaysAgo(10))
            .Tag("latest", "2.0.0").Build();

        var result = _picker.Pick(document, "^1.0.0", Policy);

        Assert.Equal("1.1.0", result.Version);
        Assert.Null(result.HeldBack);
    }

    [Fact]
    public void RangeAvoidsDeprecated()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(20), deprecated: "broken")
            .Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "^1.0.0", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void RangeTakesDeprecatedAsLastResort()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30), deprecated: "old").Version("1.1.0", DaysAgo(20), deprecated: "broken")
            .Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "^1.0.0", Policy);

        Assert.Equal("1.1.0", result.Version);
        Assert.Contains(result.Warnings, warning => warning.Contains("deprecated", StringComparison.Ordinal));
    }

    [Fact]
    public void RangeSkipsPrereleases()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0-rc.1", DaysAgo(20))
            .Tag("latest", "1.0.0").Tag("next", "1.1.0-rc.1").Build();

        var result = _picker.Pick(document, ">=1.0.0", Policy);

        Assert.Equal("1.0.0", result.Version);
    }

    [Fact]
    public void RangeSkipsEngineViolation()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30), engines: ">=18").Version("1.1.0", DaysAgo(20), engines: ">=24")
            .Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "^1", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Equal("1.1.0", result.HeldBack?.Version);
    }

    [Fact]
    public void RangeHoldsBackTooNew()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(2.5)).Version("1.2.0", DaysAgo(1))
            .Tag("latest", "1.2.0").Build();

        var result = _picker.Pick(document, "^1", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Equal("1.2.0", result.HeldBack?.Version);
        Assert.Equal(DaysAgo(1) + TimeSpan.FromDays(3), result.HeldBack?.Until);
    }

    [Fact]
    public void ReleaseAgeFollowsPolicy()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", DaysAgo(8))
            .Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "latest", Policy with { MinimumReleaseAge = TimeSpan.FromDays(10) });

        Assert.Equal("1.0.0", result.Version);
    }

    [Fact]
    public void MissingTimeHoldsByDefault()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", published: null)
            .Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "^1", Policy);

        Assert.Equal("1.0.0", result.Version);
        Assert.Contains("no publish time", result.HeldBack?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTimeAllowedWithWarning()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", DaysAgo(30)).Version("1.1.0", published: null)
            .Tag("latest", "1.1.0").Build();

        var result = _picker.Pick(document, "^1", Policy with { MissingPublishTime = MissingPublishTime.AllowWithWarning });

        Assert.Equal("1.1.0", result.Version);
        Assert.Contains(result.Warnings, warning => warning.Contains("no publish time", StringComparison.Ordinal));
    }

    [Fact]
    public void NothingAllowedFailsWithReasons()
    {
        var document = new PackageDocumentBuilder("tool")
            .Version("1.0.0", published: null).Version("1.1.0", DaysAgo(1))
            .Tag("latest", "1.1.0").Build();

        var exception = Assert.Throws<PipelineException>(() => _picker.Pick(document, "^1", Policy));

        Assert.Contains("1.1.0 published", exception.Message, StringComparison.Ordinal);
        Assert.Contains("1.0.0 has no publish time", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RangeWithoutMatchFails()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(30)).Tag("latest", "1.0.0").Build();

        var exception = Assert.Throws<PipelineException>(() => _picker.Pick(document, "^2", Policy));

        Assert.Contains("'^2'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("latest (1.0.0)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeRangeAcceptsPrereleaseNode()
    {
        var document = new PackageDocumentBuilder("tool").Version("1.0.0", DaysAgo(30), engines: ">=22").Tag("latest", "1.0.0").Build();

        var result = _picker.Pick(document, "latest", Policy with { NodeVersion = NpmVersion.Parse("23.0.0-pre") });

        Assert.Equal("1.0.0", result.Version);
    }
}
