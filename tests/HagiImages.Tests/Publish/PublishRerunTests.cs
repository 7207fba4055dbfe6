using HagiImages.Pipeline;
using HagiImages.Publish;
using HagiImages.Tests.Fixtures;

namespace HagiImages.Tests.Publish;

[Collection("docker")]
public sealed class PublishRerunTests : IClassFixture<HtpasswdRegistry>, IDisposable
{
    private const string Revision = "1a2b3c4";

    private readonly HtpasswdRegistry fixture;
    private readonly string directory = Directory.CreateTempSubdirectory("hagi-test-rerun-").FullName;
    private readonly string @namespace = $"t{Guid.NewGuid().ToString("N")[..8]}";

    public PublishRerunTests(HtpasswdRegistry fixture)
    {
        this.fixture = fixture;
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Publish_Rerun_SkipsWithSameDigests()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null || fixture.Registry is not { } registry)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        var request = Request(image, registry.Address, "1.0.0") with { CliTag = "claude-code-2.1.32" };
        var first = await PublishStage.RunAsync(client, request, new CollectingSink().CreateLogger(), Credentials());
        var sink = new CollectingSink();

        var second = await PublishStage.RunAsync(client, request, sink.CreateLogger(), Credentials());

        Assert.Equal(["1.0.0", $"sha-{Revision}", "claude-code-2.1.32", "1.0", "1", "latest"], first.Pushed.Select(pushed => pushed.Target.Tag));
        Assert.All(first.Pushed, pushed => Assert.False(pushed.AlreadyPresent));
        Assert.Equal(first.Pushed.Select(pushed => (pushed.Reference, pushed.Digest)), second.Pushed.Select(pushed => (pushed.Reference, pushed.Digest)));
        Assert.All(second.Pushed, pushed => Assert.True(pushed.AlreadyPresent));
        Assert.Equal(6, sink.Lines.Count(line => line.StartsWith("Skipped ", StringComparison.Ordinal)));
        Assert.DoesNotContain(sink.Lines, line => line.StartsWith("Pushed ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_StoppedHalfway_RerunCompletes()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null || fixture.Registry is not { } registry)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        using var proxy = new RegistryProxy(registry.Port);
        proxy.Start();
        var request = Request(image, proxy.Address, "2.0.0");

        // The proxy drops the registry as soon as the first reference is logged as pushed.
        var failing = new CollectingSink(logEvent =>
        {
            if (logEvent.MessageTemplate.Text.StartsWith("Pushed ", StringComparison.Ordinal))
            {
                proxy.Stop();
            }
        });
        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => PublishStage.RunAsync(client, request, failing.CreateLogger(), Credentials(), new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token));
        proxy.Start();
        var latestAfterFailure = await ReadDigestAsync(proxy.Address, "latest");

        var rerun = await PublishStage.RunAsync(client, request, new CollectingSink().CreateLogger(), Credentials());

        var repository = $"{proxy.Address}/{@namespace}/ai-cli";
        Assert.Contains($"Pushed: {repository}:2.0.0 (sha256:", exception.Message);
        Assert.Contains($"Not pushed: {repository}:sha-{Revision}, {repository}:2.0, {repository}:2, {repository}:latest.", exception.Message);
        Assert.Null(latestAfterFailure);
        Assert.True(rerun.Pushed[0].AlreadyPresent);
        Assert.All(rerun.Pushed.Skip(1), pushed => Assert.False(pushed.AlreadyPresent));
        Assert.Equal(["2.0.0", $"sha-{Revision}", "2.0", "2", "latest"], rerun.Pushed.Select(pushed => pushed.Target.Tag));
        Assert.Equal(rerun.Pushed[0].Digest, await ReadDigestAsync(proxy.Address, "latest"));
    }

    [Fact]
    public async Task Publish_LowerAfterHigher_LatestStays()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null || fixture.Registry is not { } registry)
        {
            return;
        }

        await using var higherImage = await TestImage.CreateAsync(client);
        await using var lowerImage = await TestImage.CreateAsync(client);
        var higher = await PublishStage.RunAsync(client, Request(higherImage, registry.Address, "1.2.0"), new CollectingSink().CreateLogger(), Credentials());
        var sink = new CollectingSink();

        var lower = await PublishStage.RunAsync(client, Request(lowerImage, registry.Address, "1.1.5"), sink.CreateLogger(), Credentials());

        var higherDigest = higher.Pushed[0].Digest;
        var lowerDigest = lower.Pushed[0].Digest;
        Assert.NotEqual(higherDigest, lowerDigest);
        Assert.Equal(["1.1.5", "1.1"], lower.Pushed.Select(pushed => pushed.Target.Tag));
        Assert.Equal(higherDigest, await ReadDigestAsync(registry.Address, $"sha-{Revision}"));
        Assert.Contains(sink.Lines, line => line.StartsWith("Kept ", StringComparison.Ordinal) && line.Contains($":sha-{Revision}", StringComparison.Ordinal) && line.Contains("immutable tags are not moved", StringComparison.Ordinal));
        Assert.Equal(higherDigest, await ReadDigestAsync(registry.Address, "latest"));
        Assert.Equal(higherDigest, await ReadDigestAsync(registry.Address, "1"));
        Assert.Equal(lowerDigest, await ReadDigestAsync(registry.Address, "1.1"));
        Assert.Equal(higherDigest, await ReadDigestAsync(registry.Address, "1.2"));
        Assert.Contains(sink.Lines, line => line.StartsWith("Kept ", StringComparison.Ordinal) && line.Contains(":latest", StringComparison.Ordinal) && line.Contains("registry has 1.2.0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_DryRun_ChangesNothing()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null || fixture.Registry is not { } registry)
        {
            return;
        }

        await using var published = await TestImage.CreateAsync(client);
        await using var candidate = await TestImage.CreateAsync(client);
        var before = await PublishStage.RunAsync(client, Request(published, registry.Address, "3.1.0"), new CollectingSink().CreateLogger(), Credentials());

        var plan = await PublishStage.RunAsync(client, Request(candidate, registry.Address, "3.0.1") with { DryRun = true }, new CollectingSink().CreateLogger(), Credentials());

        Assert.Empty(plan.Pushed);
        Assert.Equal(
            [PushAction.Push, PushAction.KeepImmutable, PushAction.Push, PushAction.KeepHigher, PushAction.KeepHigher],
            plan.DryRunSteps!.Select(step => step.Action));
        Assert.Contains("Dry run, nothing was changed", plan.Summary);
        Assert.Null(await ReadDigestAsync(registry.Address, "3.0.1"));
        Assert.Equal(before.Pushed[0].Digest, await ReadDigestAsync(registry.Address, "latest"));
        var inspected = await client.Images.InspectImageAsync(candidate.Id);
        Assert.DoesNotContain(inspected.RepoTags ?? [], tag => tag.StartsWith(registry.Address, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_SecondImageSameVersion_Rejected()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null || fixture.Registry is not { } registry)
        {
            return;
        }

        await using var first = await TestImage.CreateAsync(client);
        await using var second = await TestImage.CreateAsync(client);
        await PublishStage.RunAsync(client, Request(first, registry.Address, "0.3.0"), new CollectingSink().CreateLogger(), Credentials());

        var firstDigest = await ReadDigestAsync(registry.Address, "0.3.0");

        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => PublishStage.RunAsync(client, Request(second, registry.Address, "0.3.0"), new CollectingSink().CreateLogger(), Credentials()));

        Assert.Contains(":0.3.0 already serves another image", exception.Message, StringComparison.Ordinal);
        Assert.Contains("--version", exception.Message, StringComparison.Ordinal);
        Assert.Equal(firstDigest, await ReadDigestAsync(registry.Address, "0.3.0"));
        Assert.Equal(firstDigest, await ReadDigestAsync(registry.Address, "latest"));
    }

    private PublishRequest Request(TestImage image, string address, string version) => new()
    {
        SourceImage = image.Reference,
        Repository = "hagicode/ai-cli",
        Version = version,
        Revision = Revision,
        Registries = [$"{address}/{@namespace}"],
    };

    private RegistryCredentialResolver Credentials() => new(name => name switch
    {
        "HAGI_REGISTRY_USERNAME" => HtpasswdRegistry.Username,
        "HAGI_REGISTRY_PASSWORD" => HtpasswdRegistry.Password,
        "DOCKER_CONFIG" => Path.Combine(directory, "empty-docker-config"),
        _ => null,
    });

    private async Task<string?> ReadDigestAsync(string address, string tag)
    {
        using var manifests = new RegistryManifestClient(new RegistryRetry(0));
        var registry = RegistryTarget.Parse($"{address}/{@namespace}");
        var login = new RegistryCredential(HtpasswdRegistry.Username, HtpasswdRegistry.Password, null, "test");
        return await manifests.TryGetDigestAsync(new ImageTarget(registry, $"{address}/{@namespace}/ai-cli", tag), login, "");
    }
}
