using System.Diagnostics;
using System.Text.Json;
using HagiImages.Release;
using HagiImages.Tests.Publish;

namespace HagiImages.Tests.Release;

public sealed class BumpPullRequestTests : IDisposable
{
    private const string Branch = "hagi/bump-ai-cli";

    private readonly string directory = Directory.CreateTempSubdirectory("hagi-test-bump-pr-").FullName;
    private readonly FakeGitHub github = FakeGitHub.Start();
    private readonly string checkout;
    private readonly string origin;

    public BumpPullRequestTests()
    {
        checkout = Path.Combine(directory, "checkout");
        origin = Path.Combine(directory, "origin.git");
        Directory.CreateDirectory(Path.Combine(checkout, "images", "ai-cli"));
        Git(directory, "init", "--quiet", "--bare", "--initial-branch=main", origin);
        Git(checkout, "init", "--quiet", "--initial-branch=main");
        Git(checkout, "config", "user.name", "Test");
        Git(checkout, "config", "user.email", "test@example.com");
        File.WriteAllText(Path.Combine(checkout, "images", "ai-cli", "image.lock.json"), "{ \"version\": \"1\" }\n");
        File.WriteAllText(Path.Combine(checkout, "README.md"), "readme\n");
        Git(checkout, "add", "--all");
        Git(checkout, "commit", "--quiet", "-m", "Initial");
    }

    public void Dispose()
    {
        github.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task OpenOrUpdate_Changed_PushesAndOpens()
    {
        AddOrigin();
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/pulls", 200, "[]");
        github.Answer("POST", $"{FakeGitHub.RepositoryPath}/pulls", 201, FakeGitHub.PullRequestJson(5, Branch));
        File.WriteAllText(Path.Combine(checkout, "images", "ai-cli", "image.lock.json"), "{ \"version\": \"2\" }\n");
        File.WriteAllText(Path.Combine(checkout, "README.md"), "unrelated edit\n");

        var result = await PullRequest().OpenOrUpdateAsync(Request());

        Assert.True(result.Changed);
        Assert.True(result.Pushed);
        Assert.True(result.Created);
        Assert.Equal(5, result.PullRequestNumber);
        Assert.Equal(result.Commit, Git(directory, "--git-dir", origin, "rev-parse", $"refs/heads/{Branch}"));
        Assert.Equal("{ \"version\": \"2\" }", Git(checkout, "show", $"{Branch}:images/ai-cli/image.lock.json"));
        Assert.Equal("readme", Git(checkout, "show", $"{Branch}:README.md"));
        Assert.Equal("main", Git(checkout, "rev-parse", "--abbrev-ref", "HEAD"));
        Assert.Contains("images/ai-cli/image.lock.json", Git(checkout, "status", "--porcelain"));
        Assert.Equal([$"GET {FakeGitHub.RepositoryPath}/pulls", $"POST {FakeGitHub.RepositoryPath}/pulls"], github.Requests);
        Assert.Equal($"{FakeGitHub.Owner}:{Branch}", github.Entries[0].RequestMessage.Query!["head"].Single());
        using var body = JsonDocument.Parse(github.Entries[1].RequestMessage.Body!);
        Assert.Equal(Branch, body.RootElement.GetProperty("head").GetString());
        Assert.Equal("main", body.RootElement.GetProperty("base").GetString());
        Assert.Contains("claude-code | 2.1.30", body.RootElement.GetProperty("body").GetString());
    }

    [Fact]
    public async Task OpenOrUpdate_PullRequestOpen_UpdatesIt()
    {
        AddOrigin();
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/pulls", 200, $"[{FakeGitHub.PullRequestJson(4, Branch)}]");
        github.Answer("PATCH", $"{FakeGitHub.RepositoryPath}/pulls/4", 200, FakeGitHub.PullRequestJson(4, Branch));
        File.WriteAllText(Path.Combine(checkout, "images", "ai-cli", "image.lock.json"), "{ \"version\": \"3\" }\n");

        var result = await PullRequest().OpenOrUpdateAsync(Request());

        Assert.False(result.Created);
        Assert.Equal(4, result.PullRequestNumber);
        Assert.Equal([$"GET {FakeGitHub.RepositoryPath}/pulls", $"PATCH {FakeGitHub.RepositoryPath}/pulls/4"], github.Requests);
        Assert.Contains("Bump CLI versions of ai-cli", github.Entries[1].RequestMessage.Body!);
    }

    [Fact]
    public async Task OpenOrUpdate_NothingChanged_NothingPushed()
    {
        AddOrigin();
        File.WriteAllText(Path.Combine(checkout, "README.md"), "outside the bumped paths\n");

        var result = await PullRequest().OpenOrUpdateAsync(Request());

        Assert.False(result.Changed);
        Assert.Null(result.Commit);
        Assert.Empty(github.Requests);
        Assert.Equal("", Git(directory, "--git-dir", origin, "branch", "--list", Branch));
        Assert.Equal("", Git(checkout, "branch", "--list", Branch));
    }

    [Fact]
    public async Task OpenOrUpdate_NoRemote_CommitsLocallyOnly()
    {
        File.WriteAllText(Path.Combine(checkout, "images", "ai-cli", "image.lock.json"), "{ \"version\": \"4\" }\n");
        var sink = new CollectingSink();

        var result = await new BumpPullRequest(checkout, Settings().CreateClient(), Settings(), sink.CreateLogger()).OpenOrUpdateAsync(Request());

        Assert.True(result.Changed);
        Assert.False(result.Pushed);
        Assert.Null(result.PullRequestNumber);
        Assert.Equal(result.Commit, Git(checkout, "rev-parse", $"refs/heads/{Branch}"));
        Assert.Empty(github.Requests);
        Assert.Contains(sink.Lines, line => line.Contains("No remote \"origin\"", StringComparison.Ordinal) && line.Contains("not pushed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenOrUpdate_Twice_OnePullRequest()
    {
        AddOrigin();
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/pulls", 200, "[]");
        github.Answer("POST", $"{FakeGitHub.RepositoryPath}/pulls", 201, FakeGitHub.PullRequestJson(6, Branch));
        File.WriteAllText(Path.Combine(checkout, "images", "ai-cli", "image.lock.json"), "{ \"version\": \"5\" }\n");
        var first = await PullRequest().OpenOrUpdateAsync(Request());
        github.Server.Reset();
        github.Answer("GET", $"{FakeGitHub.RepositoryPath}/pulls", 200, $"[{FakeGitHub.PullRequestJson(6, Branch)}]");
        github.Answer("PATCH", $"{FakeGitHub.RepositoryPath}/pulls/6", 200, FakeGitHub.PullRequestJson(6, Branch));

        var second = await PullRequest().OpenOrUpdateAsync(Request());

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(Git(checkout, "rev-parse", "HEAD"), Git(directory, "--git-dir", origin, "rev-parse", $"refs/heads/{Branch}^"));
        Assert.DoesNotContain(github.Requests, request => request.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenOrUpdate_InvalidBranch_Rejected()
    {
        var exception = await Assert.ThrowsAsync<HagiImages.Pipeline.PipelineException>(
            () => PullRequest().OpenOrUpdateAsync(Request() with { Branch = "hagi/../main" }));

        Assert.Contains("'hagi/../main'", exception.Message);
    }

    private BumpPullRequest PullRequest() => new(checkout, Settings().CreateClient(), Settings(), new CollectingSink().CreateLogger());

    private GitHubSettings Settings() => GitHubSettings.Resolve($"{FakeGitHub.Owner}/{FakeGitHub.Name}", github.Url, name => name == "GITHUB_TOKEN" ? FakeGitHub.Token : null);

    private static BumpPullRequestRequest Request() => new()
    {
        Branch = Branch,
        Paths = ["images/ai-cli"],
        Title = "Bump CLI versions of ai-cli",
        Body = "| CLI | From | To |\n| --- | --- | --- |\n| claude-code | 2.1.30 | 2.1.32 |\n",
    };

    private void AddOrigin()
    {
        Git(checkout, "remote", "add", "origin", origin);
        Git(checkout, "push", "--quiet", "origin", "main");
    }

    private static string Git(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)} failed: {error}");
        return output.Trim();
    }
}
