using HagiImages.BuildImages;

namespace HagiImages.Tests.BuildImages;

public sealed class DockerIgnoreTests
{
    [Theory]
    [InlineData("*.log", "debug.log", true)]
    [InlineData("*.log", "logs/debug.log", false)]
    [InlineData("**/*.log", "logs/debug.log", true)]
    [InlineData("node_modules", "node_modules/pkg/index.js", true)]
    [InlineData("/build/", "build/out.js", true)]
    [InlineData("doc?.md", "docs.md", true)]
    [InlineData("doc?.md", "doc/.md", false)]
    [InlineData("[a-c].txt", "b.txt", true)]
    [InlineData("[!a-c].txt", "b.txt", false)]
    [InlineData("./secret", "secret", true)]
    public void Ignore_MatchesPattern(string pattern, string path, bool excluded)
    {
        Assert.Equal(excluded, DockerIgnore.Parse(pattern).IsExcluded(path));
    }

    [Fact]
    public void Ignore_LastMatchWins()
    {
        var ignore = DockerIgnore.Parse("*.md\n!README.md\n");

        Assert.True(ignore.IsExcluded("CHANGES.md"));
        Assert.False(ignore.IsExcluded("README.md"));
    }

    [Fact]
    public void Ignore_SkipsComments()
    {
        Assert.False(DockerIgnore.Parse("# *.md\n\n").IsExcluded("a.md"));
    }
}
