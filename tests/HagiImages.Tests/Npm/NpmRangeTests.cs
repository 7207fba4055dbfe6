using HagiImages.Npm;

namespace HagiImages.Tests.Npm;

public sealed class NpmRangeTests
{
    [Theory]
    // Primitive comparators.
    [InlineData(">=1.2.3", "1.2.3", true)]
    [InlineData(">=1.2.3", "1.2.2", false)]
    [InlineData(">1.2.3", "1.2.3", false)]
    [InlineData(">1.2.3", "1.2.4", true)]
    [InlineData("<1.2.3", "1.2.2", true)]
    [InlineData("<1.2.3", "1.2.3", false)]
    [InlineData("<=1.2.3", "1.2.3", true)]
    [InlineData("=1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.4", false)]
    [InlineData("v1.2.3", "1.2.3", true)]
    [InlineData(">= 1.2.3", "1.2.3", true)]
    [InlineData(">=1.2.7 <1.3.0", "1.2.8", true)]
    [InlineData(">=1.2.7 <1.3.0", "1.3.0", false)]
    // Caret.
    [InlineData("^1.2.3", "1.9.9", true)]
    [InlineData("^1.2.3", "2.0.0", false)]
    [InlineData("^1.2.3", "1.2.2", false)]
    [InlineData("^0.2.3", "0.2.9", true)]
    [InlineData("^0.2.3", "0.3.0", false)]
    [InlineData("^0.0.3", "0.0.3", true)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("^1.2.x", "1.3.0", true)]
    [InlineData("^0.0.x", "0.0.9", true)]
    [InlineData("^0.0.x", "0.1.0", false)]
    [InlineData("^0.x", "0.9.0", true)]
    [InlineData("^0.x", "1.0.0", false)]
    [InlineData("^ 1.2.3", "1.5.0", true)]
    // Tilde.
    [InlineData("~1.2.3", "1.2.9", true)]
    [InlineData("~1.2.3", "1.3.0", false)]
    [InlineData("~1.2", "1.2.0", true)]
    [InlineData("~1", "1.9.0", true)]
    [InlineData("~1", "2.0.0", false)]
    [InlineData("~0.2.3", "0.2.5", true)]
    [InlineData("~>1.2", "1.2.5", true)]
    // X-ranges and the empty range.
    [InlineData("*", "3.4.5", true)]
    [InlineData("", "3.4.5", true)]
    [InlineData("x", "0.0.0", true)]
    [InlineData("1.x", "1.9.9", true)]
    [InlineData("1.x", "2.0.0", false)]
    [InlineData("1.2.*", "1.2.7", true)]
    [InlineData("1.2.X", "1.3.0", false)]
    [InlineData("1", "1.4.0", true)]
    [InlineData("1.2", "1.3.0", false)]
    [InlineData(">1.2", "1.2.9", false)]
    [InlineData(">1.2", "1.3.0", true)]
    [InlineData("<1.2", "1.1.9", true)]
    [InlineData("<=1.2", "1.2.9", true)]
    [InlineData("<*", "0.0.0", false)]
    // Hyphen ranges.
    [InlineData("1.2.3 - 2.3.4", "1.2.3", true)]
    [InlineData("1.2.3 - 2.3.4", "2.3.4", true)]
    [InlineData("1.2.3 - 2.3.4", "2.3.5", false)]
    [InlineData("1.2 - 2.3.4", "1.2.0", true)]
    [InlineData("1.2.3 - 2.3", "2.3.9", true)]
    [InlineData("1.2.3 - 2.3", "2.4.0", false)]
    [InlineData("1.2.3 - 2", "2.9.9", true)]
    [InlineData("1.2.3 - 2", "3.0.0", false)]
    // Alternatives.
    [InlineData("1.2.7 || >=1.2.9 <2.0.0", "1.2.7", true)]
    [InlineData("1.2.7 || >=1.2.9 <2.0.0", "1.2.8", false)]
    [InlineData("1.2.7 || >=1.2.9 <2.0.0", "1.4.6", true)]
    [InlineData("^1 || ^3", "3.1.0", true)]
    [InlineData("^1 || ^3", "2.1.0", false)]
    // Real versions with patch numbers above 2^31.
    [InlineData("^0.1.2505172129", "0.1.2505172130", true)]
    [InlineData("~0.1.2505172129", "0.2.0", false)]
    [InlineData("0.1.2505172129", "0.1.2505172129", true)]
    public void SatisfiesReleases(string range, string version, bool expected)
    {
        Assert.Equal(expected, NpmRange.Satisfies(version, range));
    }

    [Theory]
    // A prerelease matches only a comparator on the same major.minor.patch that has a prerelease.
    [InlineData(">1.2.3-alpha.3", "1.2.3-alpha.7", true)]
    [InlineData(">1.2.3-alpha.3", "3.4.5-alpha.9", false)]
    [InlineData(">1.2.3-alpha.3", "3.4.5", true)]
    [InlineData("^1.2.3-beta.2", "1.2.3-beta.4", true)]
    [InlineData("^1.2.3-beta.2", "1.2.4-beta.2", false)]
    [InlineData("~1.2.3-beta.2", "1.2.3-beta.4", true)]
    [InlineData("^1.0.0", "1.1.0-rc.1", false)]
    [InlineData("*", "1.0.0-rc.1", false)]
    [InlineData(">=1.0.0-0", "1.0.0-0", true)]
    [InlineData("1.2.3-beta - 2", "1.2.3-beta.1", true)]
    [InlineData("<2.0.0-0", "1.9.9", true)]
    // An alternative that matches everything makes the whole range behave as "*", as in node-semver.
    [InlineData("^1.2.3-beta || *", "1.2.3-beta", false)]
    public void SatisfiesPrereleases(string range, string version, bool expected)
    {
        Assert.Equal(expected, NpmRange.Satisfies(version, range));
    }

    [Theory]
    [InlineData("^1.0.0", "1.1.0-rc.1", true)]
    [InlineData("*", "1.0.0-rc.1", true)]
    [InlineData("1.2.x", "1.2.0-alpha", true)]
    [InlineData("1.2.3 - 2.3.4", "1.2.3-alpha.7", true)]
    [InlineData("1.2.3 - 2.3.4", "2.3.5-0", false)]
    [InlineData("^1.2.3-beta || *", "1.2.3-beta", true)]
    public void SatisfiesWithIncludePrerelease(string range, string version, bool expected)
    {
        Assert.Equal(expected, NpmRange.Satisfies(version, range, includePrerelease: true));
    }

    [Theory]
    [InlineData("^1.2.3")]
    [InlineData(">=1.2.3 <2 || 3.x || 4.1 - 4.2")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("1 ||")]
    [InlineData("9007199254740991.0.0")]
    [InlineData(">=1.2.3-rc.1+build.5")]
    public void IsValidAcceptsGrammar(string range)
    {
        Assert.True(NpmRange.IsValid(range));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("1.2.3.4")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3-01")]
    [InlineData("1.x.3")]
    [InlineData(">=9007199254740992")]
    [InlineData("^9007199254740992")]
    [InlineData("1.2.3 -2.0.0")]
    [InlineData(">=1.2.3 & <2")]
    [InlineData("2.x>=1.2.3")]
    [InlineData("1.2.3-")]
    [InlineData(">")]
    public void IsValidRejectsOutsideGrammar(string range)
    {
        Assert.False(NpmRange.IsValid(range));
    }

    [Fact]
    public void SatisfiesIsFalseForInvalidInput()
    {
        Assert.False(NpmRange.Satisfies("1.2.3", "not a range"));
        Assert.False(NpmRange.Satisfies("not.a.version", "*"));
    }

    [Fact]
    public void ParseNamesReasonForLargeNumber()
    {
        var exception = Assert.Throws<FormatException>(() => NpmRange.Parse("^9007199254740992"));

        Assert.Contains("9007199254740991", exception.Message, StringComparison.Ordinal);
    }
}
