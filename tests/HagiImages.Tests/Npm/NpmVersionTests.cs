using HagiImages.Npm;

namespace HagiImages.Tests.Npm;

public sealed class NpmVersionTests
{
    [Theory]
    [InlineData("1.2.3")]
    [InlineData("v1.2.3")]
    [InlineData(" 1.2.3 ")]
    [InlineData("1.0.0-rc.1+build.5")]
    [InlineData("0.1.2505172129")]
    [InlineData("9007199254740991.9007199254740991.9007199254740991")]
    public void TryParseAcceptsVersion(string text)
    {
        Assert.True(NpmVersion.TryParse(text, out _));
    }

    [Theory]
    [InlineData("9007199254740992.0.0")]
    [InlineData("1.9007199254740992.0")]
    [InlineData("01.2.3")]
    [InlineData("1.2")]
    [InlineData("1.2.3-01")]
    [InlineData("=1.2.3")]
    [InlineData("latest")]
    public void TryParseRejectsInvalid(string text)
    {
        Assert.False(NpmVersion.TryParse(text, out _));
    }

    [Fact]
    public void TryParseRejectsTooLong()
    {
        Assert.False(NpmVersion.TryParse("1.2.3-" + new string('a', 300), out _));
    }

    [Theory]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1")]
    [InlineData("1.0.0-alpha.1", "1.0.0-alpha.beta")]
    [InlineData("1.0.0-alpha.beta", "1.0.0-beta")]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.11")]
    [InlineData("1.0.0-rc.1", "1.0.0")]
    [InlineData("1.0.0-Alpha", "1.0.0-alpha")]
    [InlineData("1.0.0-Z", "1.0.0-a")]
    [InlineData("1.9.0", "1.10.0")]
    [InlineData("0.1.2505172129", "0.1.2505172130")]
    public void CompareOrdersByPrecedence(string lower, string higher)
    {
        Assert.True(NpmVersion.Compare(NpmVersion.Parse(lower), NpmVersion.Parse(higher)) < 0);
        Assert.True(NpmVersion.Compare(NpmVersion.Parse(higher), NpmVersion.Parse(lower)) > 0);
    }

    [Fact]
    public void CompareIgnoresBuildMetadata()
    {
        Assert.Equal(0, NpmVersion.Compare(NpmVersion.Parse("1.2.3+a"), NpmVersion.Parse("1.2.3+b")));
    }
}
