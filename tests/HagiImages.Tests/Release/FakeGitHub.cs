using System.Net;
using System.Net.Sockets;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace HagiImages.Tests.Release;

/// <summary>
/// A stand-in for the GitHub REST API on a free 127.0.0.1 port (WireMock.Net) that records every request.
/// Octokit 14 sends requests for any host but api.github.com below <c>/api/v3/</c>, as for GitHub Enterprise.
/// </summary>
internal sealed class FakeGitHub : IDisposable
{
    public const string Owner = "hagicode";
    public const string Name = "hagiimages";
    public const string Token = "ghp_test-token-0123456789";

    private FakeGitHub(WireMockServer server)
    {
        Server = server;
    }

    public WireMockServer Server { get; }

    /// <summary>Base URL to pass as <c>--github-api-url</c>.</summary>
    public string Url => Server.Urls[0];

    /// <summary>Path prefix of the repository's API, such as <c>/api/v3/repos/hagicode/hagiimages</c>.</summary>
    public static string RepositoryPath => $"/api/v3/repos/{Owner}/{Name}";

    /// <summary>Requests received so far, as <c>METHOD path</c>, in order.</summary>
    public IReadOnlyList<string> Requests => Entries.Select(entry => $"{entry.RequestMessage.Method} {entry.RequestMessage.Path}").ToList();

    /// <summary>Requests received so far with their bodies.</summary>
    public IReadOnlyList<ILogEntry> Entries => Server.LogEntries.OrderBy(entry => entry.RequestMessage.DateTime).ToList();

    public static FakeGitHub Start()
    {
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FindFreePort()}"], StartAdminInterface = false });
        return new FakeGitHub(server);
    }

    /// <summary>Answers <paramref name="method"/> on <paramref name="path"/> with <paramref name="status"/> and a JSON body.</summary>
    public void Answer(string method, string path, int status, string json)
    {
        Server
            .Given(Request.Create().WithPath(path).UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(json));
    }

    public void Dispose() => Server.Stop();

    /// <summary>A release object with the fields Octokit reads.</summary>
    public static string ReleaseJson(long id, string tag, string body, bool prerelease = false) =>
        $$"""
        {"id": {{id}}, "tag_name": "{{tag}}", "name": "{{tag}}", "body": {{System.Text.Json.JsonSerializer.Serialize(body)}}, "draft": false, "prerelease": {{(prerelease ? "true" : "false")}},
         "url": "https://api.example/releases/{{id}}", "html_url": "https://github.example/{{Owner}}/{{Name}}/releases/tag/{{tag}}",
         "assets_url": "", "upload_url": "", "target_commitish": "main", "created_at": "2026-01-01T00:00:00Z", "published_at": "2026-01-01T00:00:00Z",
         "author": {"login": "hagi", "id": 1}, "assets": []}
        """;

    /// <summary>A pull request object with the fields Octokit reads.</summary>
    public static string PullRequestJson(int number, string branch) =>
        $$"""
        {"id": {{number + 1000}}, "number": {{number}}, "state": "open", "title": "Bump", "body": "",
         "url": "https://api.example/pulls/{{number}}", "html_url": "https://github.example/{{Owner}}/{{Name}}/pull/{{number}}",
         "head": {"ref": "{{branch}}", "label": "{{Owner}}:{{branch}}", "sha": "0000000000000000000000000000000000000000"},
         "base": {"ref": "main", "label": "{{Owner}}:main", "sha": "0000000000000000000000000000000000000000"},
         "user": {"login": "hagi", "id": 1}, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        """;

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
