using HagiImages.Publish;
using HagiImages.Release;
using HagiImages.Tests.Publish;

namespace HagiImages.Tests.Release;

public sealed class GitHubReleasePublisherTests : IDisposable
{
    private const string DigestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private readonly FakeGitHub github = FakeGitHub.Start();

    public void Dispose() => github.Dispose();

    [Fact]
    public async Task CreateOrUpdate_NoRelease_CreatesOne()
    {
        var previousBody = ReleaseNotes.Format(Record("1.1.0", "2.1.30"), null, null);
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/releases", 200, $"[{FakeGitHub.ReleaseJson(7, "v1.1.0", previousBody)}]");
        github.Answer("POST", $"{FakeGitHub.RepositoryPath}/releases", 201, FakeGitHub.ReleaseJson(9, "v1.2.0", ""));

        var release = await Publisher().CreateOrUpdateAsync(Record("1.2.0", "2.1.32"));

        Assert.Equal(9, release.Id);
        Assert.Equal([$"GET {FakeGitHub.RepositoryPath}/releases", $"POST {FakeGitHub.RepositoryPath}/releases"], github.Requests);
        var body = github.Entries[1].RequestMessage.Body!;
        Assert.Contains("\"tag_name\":\"v1.2.0\"", body);
        Assert.Contains("\"prerelease\":false", body);
        Assert.Contains($"ghcr.io/hagicode/ai-cli@{DigestA}", body);
        Assert.Contains($"127.0.0.1:5000/hagicode/ai-cli@{DigestA}", body);
        Assert.Contains("| ai-cli | claude-code | `@anthropic-ai/claude-code` | 2.1.32 |", System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("body").GetString());
        Assert.Contains("claude-code 2.1.30 → 2.1.32", System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("body").GetString());
        Assert.Contains("Changes since v1.1.0", body);
    }

    [Fact]
    public async Task CreateOrUpdate_ReleaseExists_UpdatesIt()
    {
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/releases", 200, $"[{FakeGitHub.ReleaseJson(9, "v1.2.0", "old body")}, {FakeGitHub.ReleaseJson(7, "v1.1.0", "no table")}]");
        github.Answer("PATCH", $"{FakeGitHub.RepositoryPath}/releases/9", 200, FakeGitHub.ReleaseJson(9, "v1.2.0", "new body"));

        var release = await Publisher().CreateOrUpdateAsync(Record("1.2.0", "2.1.32"));

        Assert.Equal(9, release.Id);
        Assert.Equal([$"GET {FakeGitHub.RepositoryPath}/releases", $"PATCH {FakeGitHub.RepositoryPath}/releases/9"], github.Requests);
        var body = System.Text.Json.JsonDocument.Parse(github.Entries[1].RequestMessage.Body!).RootElement.GetProperty("body").GetString();
        Assert.Contains("release v1.1.0 has no CLI table", body);
        Assert.Contains($"`{DigestA}`", body);
    }

    [Fact]
    public async Task CreateOrUpdate_FirstRelease_SaysSo()
    {
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/releases", 200, "[]");
        github.Answer("POST", $"{FakeGitHub.RepositoryPath}/releases", 201, FakeGitHub.ReleaseJson(1, "v0.1.0-rc.1", ""));

        await Publisher().CreateOrUpdateAsync(Record("0.1.0-rc.1", "2.1.32"));

        var body = github.Entries[1].RequestMessage.Body!;
        Assert.Contains("\"prerelease\":true", body);
        Assert.Contains("This is the first release.", body);
    }

    [Fact]
    public async Task CreateOrUpdate_SendsTokenOnly()
    {
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/releases", 200, "[]");
        github.Answer("POST", $"{FakeGitHub.RepositoryPath}/releases", 201, FakeGitHub.ReleaseJson(1, "v1.2.0", ""));
        var sink = new CollectingSink();

        await new GitHubReleasePublisher(Settings().CreateClient(), Settings(), sink.CreateLogger()).CreateOrUpdateAsync(Record("1.2.0", "2.1.32"));

        var authorization = github.Entries[0].RequestMessage.Headers!["Authorization"].Single();
        Assert.EndsWith(FakeGitHub.Token, authorization);
        Assert.DoesNotContain(sink.Lines, line => line.Contains(FakeGitHub.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(FakeGitHub.Token, Settings().ToString());
    }

    [Fact]
    public async Task CreateOrUpdate_Forbidden_NamesRepositoryAndStatus()
    {
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/releases", 403, """{"message": "Resource not accessible by integration"}""");

        var exception = await Assert.ThrowsAsync<HagiImages.Pipeline.PipelineException>(() => Publisher().CreateOrUpdateAsync(Record("1.2.0", "2.1.32")));

        Assert.Contains("hagicode/hagiimages", exception.Message);
        Assert.Contains("403", exception.Message);
        Assert.Contains("GITHUB_TOKEN", exception.Message);
    }

    [Fact]
    public void ParseCliTable_FormattedBody_RoundTrips()
    {
        var record = Record("1.2.0", "2.1.32");

        var rows = ReleaseNotes.ParseCliTable(ReleaseNotes.Format(record, null, null));

        Assert.Equal(ReleaseNotes.Rows(record), rows);
    }

    [Fact]
    public void ParseCliTable_NoHeading_ReturnsNull()
    {
        Assert.Null(ReleaseNotes.ParseCliTable("Some notes\n\n| a | b | c | d |\n| - | - | - | - |\n| 1 | 2 | 3 | 4 |\n"));
    }

    [Fact]
    public void Format_RemovedAndAddedCli_Listed()
    {
        var previous = new[] { new ReleaseCliRow("ai-cli", "opencode", "opencode-ai", "1.0.0"), new ReleaseCliRow("ai-cli", "codex", "@openai/codex", "0.5.0") };

        var body = ReleaseNotes.Format(Record("1.2.0", "2.1.32"), "v1.1.0", previous);

        Assert.Contains("- ai-cli: claude-code added at 2.1.32", body);
        Assert.Contains("- ai-cli: opencode removed (was 1.0.0)", body);
        Assert.DoesNotContain("codex 0.5.0 →", body);
    }

    private GitHubReleasePublisher Publisher() => new(Settings().CreateClient(), Settings(), new CollectingSink().CreateLogger());

    private GitHubSettings Settings() => GitHubSettings.Resolve($"{FakeGitHub.Owner}/{FakeGitHub.Name}", github.Url, name => name == "GITHUB_TOKEN" ? FakeGitHub.Token : null);

    private static PublishRecord Record(string version, string claudeVersion) => new()
    {
        Version = version,
        Revision = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
        Images =
        [
            new PublishedImageRecord
            {
                Name = "ai-cli",
                Repository = "hagicode/ai-cli",
                ImageId = "sha256:" + new string('b', 64),
                Clis = [new CliVersionRecord("claude-code", "@anthropic-ai/claude-code", claudeVersion), new CliVersionRecord("codex", "@openai/codex", "0.5.0")],
                References =
                [
                    new PublishedReference($"ghcr.io/hagicode/ai-cli:{version}", $"ghcr.io/hagicode/ai-cli@{DigestA}", DigestA, false),
                    new PublishedReference($"127.0.0.1:5000/hagicode/ai-cli:{version}", $"127.0.0.1:5000/hagicode/ai-cli@{DigestA}", DigestA, false),
                ],
            },
        ],
    };
}
