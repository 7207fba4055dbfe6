using HagiImages.Pipeline;
using HagiImages.Release;

namespace HagiImages.Tests.Release;

public sealed class GitHubSettingsTests
{
    [Fact]
    public void Resolve_Environment_ReadsRepositoryAndUrl()
    {
        var settings = GitHubSettings.Resolve(null, null, Environment(("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "org/repo"), ("GITHUB_API_URL", "https://ghe.example.com/api/v3")));

        Assert.Equal("org", settings.Owner);
        Assert.Equal("repo", settings.Name);
        Assert.Equal("https://ghe.example.com/api/v3", settings.ApiUrl.ToString().TrimEnd('/'));
    }

    [Fact]
    public void Resolve_OptionsOverEnvironment()
    {
        var settings = GitHubSettings.Resolve("a/b", "http://127.0.0.1:9", Environment(("GITHUB_TOKEN", "t"), ("GITHUB_REPOSITORY", "org/repo")));

        Assert.Equal("a", settings.Owner);
        Assert.Equal(9, settings.ApiUrl.Port);
    }

    [Fact]
    public void Resolve_NoToken_Rejected()
    {
        var exception = Assert.Throws<PipelineException>(() => GitHubSettings.Resolve("a/b", null, Environment()));

        Assert.Contains("GITHUB_TOKEN", exception.Message);
    }

    [Theory]
    [InlineData("owner")]
    [InlineData("owner/name/extra")]
    [InlineData("owner/na me")]
    public void Resolve_BadRepository_Rejected(string repository)
    {
        var exception = Assert.Throws<PipelineException>(() => GitHubSettings.Resolve(repository, null, Environment(("GITHUB_TOKEN", "t"))));

        Assert.Contains($"'{repository}'", exception.Message);
        Assert.Contains("--github-repository", exception.Message);
    }

    [Fact]
    public void Resolve_PlainHttpRemote_Rejected()
    {
        var exception = Assert.Throws<PipelineException>(() => GitHubSettings.Resolve("a/b", "http://ghe.example.com", Environment(("GITHUB_TOKEN", "t"))));

        Assert.Contains("plain HTTP", exception.Message);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(variable => variable.Name == name).Value;
}
