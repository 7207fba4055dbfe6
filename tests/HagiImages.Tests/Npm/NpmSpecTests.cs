using HagiImages.Npm;

namespace HagiImages.Tests.Npm;

public sealed class NpmSpecTests
{
    [Theory]
    [InlineData("1.2.3", NpmSpecKind.Version)]
    [InlineData("v1.2.3", NpmSpecKind.Version)]
    [InlineData("=1.2.3", NpmSpecKind.Version)]
    [InlineData("1.0.0-rc.1", NpmSpecKind.Version)]
    [InlineData("0.1.2505172129", NpmSpecKind.Version)]
    [InlineData("22", NpmSpecKind.Range)]
    [InlineData("^1.2.0", NpmSpecKind.Range)]
    [InlineData(">=1 <2 || 3.x", NpmSpecKind.Range)]
    [InlineData("*", NpmSpecKind.Range)]
    [InlineData("1.2.3 - 2", NpmSpecKind.Range)]
    [InlineData("latest", NpmSpecKind.Tag)]
    [InlineData("next", NpmSpecKind.Tag)]
    [InlineData("beta-2", NpmSpecKind.Tag)]
    [InlineData("1.2.3.4", NpmSpecKind.Tag)]
    public void ClassifyMatchesNpm(string spec, NpmSpecKind expected)
    {
        Assert.Equal(expected, NpmSpec.Classify(spec));
    }

    [Theory]
    [InlineData("")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3beta")]
    [InlineData(">=1.2.3 <2 &")]
    [InlineData("^9007199254740992")]
    [InlineData("github:user/repo")]
    [InlineData("file:../pkg")]
    [InlineData("npm:other@1")]
    [InlineData("tag%name")]
    public void FindProblemRejectsInvalid(string spec)
    {
        Assert.NotNull(NpmSpec.FindProblem(spec));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("^1.2.0")]
    [InlineData("1.2.3")]
    public void FindProblemAcceptsValid(string spec)
    {
        Assert.Null(NpmSpec.FindProblem(spec));
    }

    [Fact]
    public void FindProblemExplainsLooseMode()
    {
        Assert.Contains("loose", NpmSpec.FindProblem("01.2.3"), StringComparison.Ordinal);
    }

    [Fact]
    public void ExactVersionDropsPrefixAndBuild()
    {
        Assert.Equal("1.2.3", NpmSpec.ExactVersion("=v1.2.3+build.7"));
        Assert.Null(NpmSpec.ExactVersion("^1.2.3"));
    }
}
