using System.Diagnostics;
using HagiImages.Npm;
using HagiImages.Pipeline;

namespace HagiImages.Tests.Npm;

public sealed class NpmRegistryClientTests : IDisposable
{
    private static readonly NpmRegistryClientOptions FastRetries = new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        MaxRetries = 2,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
    };

    private readonly string _root = Directory.CreateTempSubdirectory("hagi-registry-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FetchesDocument()
    {
        var json = new PackageDocumentBuilder("tool").Version("1.0.0", DateTimeOffset.UnixEpoch).Tag("latest", "1.0.0").ToJson();
        using var server = TestRegistryServer.ForDocuments(new Dictionary<string, string> { ["tool"] = json });
        using var client = CreateClient(server.Url);

        var document = await client.GetPackageAsync("tool");

        Assert.Equal("1.0.0", document.DistTags["latest"]);
        Assert.Equal(PackageDocumentBuilder.IntegrityOf("tool", "1.0.0"), document.Versions["1.0.0"].Integrity);
        Assert.Equal(DateTimeOffset.UnixEpoch, document.PublishTimes["1.0.0"]);
        Assert.Equal("application/json", Assert.Single(server.Requests).Accept);
        Assert.Null(Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task NotFoundNamesPackageAndRegistry()
    {
        using var server = TestRegistryServer.ForDocuments(new Dictionary<string, string>());
        using var client = CreateClient(server.Url);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetPackageAsync("missing-tool"));

        Assert.Contains("'missing-tool' was not found", exception.Message, StringComparison.Ordinal);
        Assert.Contains(server.Url.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Contains("package name in the manifest", exception.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task RetriesServerError()
    {
        var json = new PackageDocumentBuilder("tool").Version("1.0.0", DateTimeOffset.UnixEpoch).Tag("latest", "1.0.0").ToJson();
        var calls = 0;
        using var server = new TestRegistryServer(_ => Interlocked.Increment(ref calls) == 1 ? new TestResponse(500, "oops") : new TestResponse(200, json));
        var (logger, sink) = InMemorySink.CreateLogger();
        using var client = new NpmRegistryClient(ConfigFor(server.Url), logger, FastRetries);

        var document = await client.GetPackageAsync("tool");

        Assert.Equal("tool", document.Name);
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains("HTTP 500", sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyRequestsFailsAfterRetries()
    {
        using var server = new TestRegistryServer(_ => new TestResponse(429, "slow down", RetryAfter: "0"));
        using var client = CreateClient(server.Url);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetPackageAsync("tool"));

        Assert.Contains("HTTP 429", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{server.Url}tool", exception.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", exception.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task FinalServerErrorNamesStatus()
    {
        using var server = new TestRegistryServer(_ => new TestResponse(503, "down"));
        using var client = CreateClient(server.Url);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetPackageAsync("tool"));

        Assert.Contains("HTTP 503", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{server.Url}tool", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeoutNamesUrl()
    {
        using var server = new TestRegistryServer(_ => new TestResponse(200, "{}", Delay: TimeSpan.FromSeconds(10)));
        using var client = CreateClient(server.Url, FastRetries with { Timeout = TimeSpan.FromMilliseconds(300) });
        var stopwatch = Stopwatch.StartNew();

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetPackageAsync("slow-tool"));

        Assert.Contains("timed out", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{server.Url}slow-tool", exception.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"The request took {stopwatch.Elapsed}.");
    }

    [Fact]
    public async Task MalformedJsonNamesUrl()
    {
        using var server = new TestRegistryServer(_ => new TestResponse(200, "{\"versions\": [1, 2"));
        using var client = CreateClient(server.Url);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetPackageAsync("tool"));

        Assert.Contains("malformed JSON", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{server.Url}tool", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongShapeIsMalformed()
    {
        using var server = new TestRegistryServer(_ => new TestResponse(200, "{\"versions\": []}"));
        using var client = CreateClient(server.Url);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetPackageAsync("tool"));

        Assert.Contains("$.versions", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScopedRegistrySendsToken()
    {
        const string Token = "npm_secretTokenValue123";
        var json = new PackageDocumentBuilder("@corp/tool").Version("1.0.0", DateTimeOffset.UnixEpoch).Tag("latest", "1.0.0").ToJson();
        using var server = TestRegistryServer.ForDocuments(new Dictionary<string, string> { ["private/@corp/tool"] = json, ["public-tool"] = "{}" });
        File.WriteAllText(
            Path.Combine(_root, ".npmrc"),
            $"registry={server.Url}\n@corp:registry={server.Url}private/\n//127.0.0.1:{server.Port}/private/:_authToken=${{CORP_TOKEN}}\n");
        var config = NpmConfig.Load(_root, Path.Combine(_root, "no-user.npmrc"), new Dictionary<string, string> { ["CORP_TOKEN"] = Token, ["HOME"] = _root });
        var (logger, sink) = InMemorySink.CreateLogger();
        using var client = new NpmRegistryClient(config, logger, FastRetries);

        var document = await client.GetPackageAsync("@corp/tool");
        await client.GetPackageAsync("public-tool");
        var missing = await Assert.ThrowsAsync<PipelineException>(() => client.GetPackageAsync("@corp/missing"));

        var requests = server.Requests.ToList();
        Assert.Equal("@corp/tool", document.Name);
        Assert.Equal("/private/@corp%2Ftool", requests[0].Path);
        Assert.Equal($"Bearer {Token}", requests[0].Authorization);
        Assert.Null(requests[1].Authorization);
        Assert.NotEmpty(sink.Events);
        Assert.DoesNotContain(Token, sink.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchesInParallel()
    {
        var json = new PackageDocumentBuilder("tool").Version("1.0.0", DateTimeOffset.UnixEpoch).Tag("latest", "1.0.0").ToJson();
        using var server = new TestRegistryServer(_ => new TestResponse(200, json, Delay: TimeSpan.FromMilliseconds(300)));
        using var client = CreateClient(server.Url);

        var documents = await client.GetPackagesAsync(["a", "b", "c", "d"]);

        Assert.Equal(["a", "b", "c", "d"], documents.Select(document => document.Name));
        Assert.True(server.MaxConcurrentRequests > 1, $"At most {server.MaxConcurrentRequests} request ran at a time.");
    }

    [Fact]
    public async Task TarballSendsRegistryToken()
    {
        const string Token = "npm_tarballTokenValue456";
        using var server = new TestRegistryServer(_ => new TestResponse(200, "tarball bytes"));
        File.WriteAllText(Path.Combine(_root, ".npmrc"), $"registry={server.Url}\n//127.0.0.1:{server.Port}/:_authToken=${{TARBALL_TOKEN}}\n");
        var config = NpmConfig.Load(_root, Path.Combine(_root, "no-user.npmrc"), new Dictionary<string, string> { ["TARBALL_TOKEN"] = Token, ["HOME"] = _root });
        using var client = new NpmRegistryClient(config, InMemorySink.CreateLogger().Logger, FastRetries);

        var content = await client.GetTarballAsync(new Uri(server.Url, "tool/-/tool-1.0.0.tgz"), "tool@1.0.0");

        Assert.Equal("tarball bytes"u8.ToArray(), content);
        Assert.Equal("/tool/-/tool-1.0.0.tgz", Assert.Single(server.Requests).Path);
        Assert.Equal($"Bearer {Token}", Assert.Single(server.Requests).Authorization);
    }

    [Fact]
    public async Task TarballNotFoundNamesUrl()
    {
        using var server = new TestRegistryServer(_ => new TestResponse(404, "{}"));
        using var client = CreateClient(server.Url);
        var url = new Uri(server.Url, "tool/-/tool-1.0.0.tgz");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetTarballAsync(url, "tool@1.0.0"));

        Assert.Contains($"Downloading tool@1.0.0 from {url} failed with HTTP 404", exception.Message, StringComparison.Ordinal);
        Assert.Contains("run Bump", exception.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task TarballUnauthorizedWithoutToken()
    {
        using var server = new TestRegistryServer(_ => new TestResponse(401, "{}"));
        using var client = CreateClient(server.Url);

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetTarballAsync(new Uri(server.Url, "tool/-/tool-1.0.0.tgz"), "tool@1.0.0"));

        Assert.Contains("HTTP 401", exception.Message, StringComparison.Ordinal);
        Assert.Contains("No token is configured for this URL", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TarballRetriesServerError()
    {
        var calls = 0;
        using var server = new TestRegistryServer(_ => Interlocked.Increment(ref calls) == 1 ? new TestResponse(503, "busy") : new TestResponse(200, "tarball bytes"));
        using var client = CreateClient(server.Url);

        var content = await client.GetTarballAsync(new Uri(server.Url, "tool/-/tool-1.0.0.tgz"), "tool@1.0.0");

        Assert.Equal("tarball bytes"u8.ToArray(), content);
        Assert.Equal(2, server.Requests.Count);
    }

    private NpmRegistryClient CreateClient(Uri registry, NpmRegistryClientOptions? options = null)
    {
        var (logger, _) = InMemorySink.CreateLogger();
        return new NpmRegistryClient(ConfigFor(registry), logger, options ?? FastRetries);
    }

    private NpmConfig ConfigFor(Uri registry) =>
        NpmConfig.Load(_root, Path.Combine(_root, "no-user.npmrc"), new Dictionary<string, string> { ["npm_config_registry"] = registry.ToString(), ["HOME"] = _root });
}
