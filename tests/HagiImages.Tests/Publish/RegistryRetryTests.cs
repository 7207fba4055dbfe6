using HagiImages.Pipeline;
using HagiImages.Publish;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace HagiImages.Tests.Publish;

/// <summary>
/// Retries of the registry HTTP client against a fake registry, because a real one cannot be made to return 429
/// or 503 on demand.
/// </summary>
public sealed class RegistryRetryTests : IDisposable
{
    private const string Digest = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    private const string ManifestPath = "/v2/hagicode/ai-cli/manifests/1.0.0";

    private readonly WireMockServer server = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], StartAdminInterface = false });

    public void Dispose() => server.Stop();

    [Fact]
    public async Task GetDigest_TwoServerErrors_RetriedThenSucceeds()
    {
        Fail("start", "second", 503);
        Fail("second", "third", 429);
        server.Given(Request.Create().WithPath(ManifestPath).UsingHead()).InScenario("registry").WhenStateIs("third")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Docker-Content-Digest", Digest));
        var sink = new CollectingSink();
        using var client = new RegistryManifestClient(new RegistryRetry(3, TimeSpan.FromMilliseconds(10), sink.CreateLogger()));

        var digest = await client.GetDigestAsync(Target(), null, "");

        Assert.Equal(Digest, digest);
        Assert.Equal(3, server.LogEntries.Count());
        Assert.Equal(2, sink.Lines.Count(line => line.StartsWith("Registry request ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GetDigest_ServerErrorPersists_FailsAfterBound()
    {
        server.Given(Request.Create().WithPath(ManifestPath).UsingHead()).RespondWith(Response.Create().WithStatusCode(500));
        using var client = new RegistryManifestClient(new RegistryRetry(2, TimeSpan.FromMilliseconds(10)));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetDigestAsync(Target(), null, ""));

        Assert.Contains("500", exception.Message);
        Assert.Contains(ManifestPath, exception.Message);
        Assert.Equal(3, server.LogEntries.Count());
    }

    [Fact]
    public async Task GetDigest_Timeout_RetriedThenFails()
    {
        server.Given(Request.Create().WithPath(ManifestPath).UsingHead()).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(2)));
        using var client = new RegistryManifestClient(new RegistryRetry(1, TimeSpan.FromMilliseconds(10)), TimeSpan.FromMilliseconds(300));

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetDigestAsync(Target(), null, ""));

        Assert.Contains("timed out", exception.Message);
        Assert.Contains("2 times", exception.Message);
    }

    [Fact]
    public async Task GetDigest_NotFound_NotRetried()
    {
        server.Given(Request.Create().WithPath(ManifestPath).UsingHead()).RespondWith(Response.Create().WithStatusCode(404));
        using var client = new RegistryManifestClient(new RegistryRetry(3, TimeSpan.FromMilliseconds(10)));

        var digest = await client.TryGetDigestAsync(Target(), null, "");

        Assert.Null(digest);
        Assert.Single(server.LogEntries);
    }

    [Fact]
    public async Task ListTags_TwoPages_FollowsLink()
    {
        server.Given(Request.Create().WithPath("/v2/hagicode/ai-cli/tags/list").WithParam("last", "1.0.0").UsingGet())
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"name": "hagicode/ai-cli", "tags": ["latest"]}"""));
        server.Given(Request.Create().WithPath("/v2/hagicode/ai-cli/tags/list").UsingGet())
            .AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Link", "</v2/hagicode/ai-cli/tags/list?n=1&last=1.0.0>; rel=\"next\"")
                .WithBody("""{"name": "hagicode/ai-cli", "tags": ["1.0.0"]}"""));
        using var client = new RegistryManifestClient(new RegistryRetry(0));

        var tags = await client.ListTagsAsync(Target(), null, "");

        Assert.Equal(["1.0.0", "latest"], tags);
    }

    private void Fail(string state, string next, int status)
    {
        var mapping = server.Given(Request.Create().WithPath(ManifestPath).UsingHead()).InScenario("registry");
        mapping = state == "start" ? mapping : mapping.WhenStateIs(state);
        mapping.WillSetStateTo(next).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Retry-After", "0"));
    }

    private ImageTarget Target()
    {
        var address = new Uri(server.Urls[0]).Authority;
        return new ImageTarget(RegistryTarget.Parse($"{address}/hagicode"), $"{address}/hagicode/ai-cli", "1.0.0");
    }
}
