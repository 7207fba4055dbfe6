using System.Text;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using HagiImages.Publish;
using HagiImages.Tests.Fixtures;

namespace HagiImages.Tests.Publish;

[Collection("docker")]
public sealed class ImagePublisherTests : IDisposable
{
    private const string Revision = "1a2b3c4";

    private readonly string directory = Directory.CreateTempSubdirectory("hagi-test-publish-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Push_OpenRegistry_PullByDigestMatches()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        await using var registry = await LocalRegistry.StartAsync();
        var sink = new CollectingSink();

        var result = await PublishStage.RunAsync(client, Request(image, registry), sink.CreateLogger(), EmptyCredentials());

        Assert.Equal(["1.0.0", $"sha-{Revision}", "1.0", "1", "latest"], result.Pushed.Select(pushed => pushed.Target.Tag));
        Assert.Equal($"{registry.Address}/hagicode/ai-cli:1.0.0", result.Pushed[0].Reference);
        Assert.All(result.Pushed, pushed => Assert.Equal(result.Pushed[0].Digest, pushed.Digest));
        Assert.Null(result.Archive);
        Assert.Null(result.Pushed[0].CredentialSource);
        Assert.Contains(sink.Lines, line => line.Contains($"{registry.Address}/hagicode/ai-cli:1.0.0", StringComparison.Ordinal) && line.Contains(result.Pushed[0].Digest, StringComparison.Ordinal));

        var pullErrors = new List<string>();
        var digestReference = result.Pushed[0].DigestReference;
        await client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromImage = digestReference },
            new AuthConfig(),
            new SynchronousProgress(message =>
            {
                if (message.Error is not null)
                {
                    pullErrors.Add(message.Error.Message ?? "error without message");
                }
            }));
        Assert.Empty(pullErrors);

        var pulled = await client.Images.InspectImageAsync(digestReference);
        Assert.Equal(image.Id, pulled.ID);
        Assert.Contains(digestReference, pulled.RepoDigests ?? []);
    }

    [Fact]
    public async Task Push_HtpasswdRegistryWithDockerConfig_Succeeds()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        await using var registry = await LocalRegistry.StartAsync("hagi", "s3cret-Pa55");
        var dockerConfig = Path.Combine(directory, "docker");
        Directory.CreateDirectory(dockerConfig);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("hagi:s3cret-Pa55"));
        await File.WriteAllTextAsync(Path.Combine(dockerConfig, "config.json"), $$"""{ "auths": { "{{registry.Address}}": { "auth": "{{auth}}" } } }""");
        var credentials = new RegistryCredentialResolver(name => name switch { "DOCKER_CONFIG" => dockerConfig, "PATH" => "/usr/bin:/bin", _ => null });
        var sink = new CollectingSink();

        var result = await PublishStage.RunAsync(client, Request(image, registry), sink.CreateLogger(), credentials);

        Assert.Equal(5, result.Pushed.Count);
        Assert.All(result.Pushed, pushed => Assert.Matches("^sha256:[0-9a-f]{64}$", pushed.Digest));
        Assert.Contains(Path.Combine(dockerConfig, "config.json"), result.Pushed[0].CredentialSource);
        Assert.DoesNotContain(sink.Lines, line => line.Contains("s3cret-Pa55", StringComparison.Ordinal) || line.Contains(auth, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Push_HtpasswdRegistryWithoutLogin_ClearError()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        await using var registry = await LocalRegistry.StartAsync("hagi", "s3cret-Pa55");

        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => PublishStage.RunAsync(client, Request(image, registry), new CollectingSink().CreateLogger(), EmptyCredentials()));

        Assert.Contains($"Registry {registry.Address} requires a user name and password", exception.Message);
        Assert.Contains("no login was found", exception.Message);
        Assert.Contains($"HAGI_REGISTRY_127_0_0_1_{registry.Port}_USERNAME", exception.Message);
        Assert.Contains("config.json", exception.Message);
        Assert.Contains("Pushed: nothing", exception.Message);
    }

    [Fact]
    public async Task Push_WrongPassword_NamesLoginSource()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        await using var registry = await LocalRegistry.StartAsync("hagi", "s3cret-Pa55");
        var credentials = new RegistryCredentialResolver(name => name switch
        {
            "HAGI_REGISTRY_USERNAME" => "hagi",
            "HAGI_REGISTRY_PASSWORD" => "wrong-Pa55",
            "DOCKER_CONFIG" => Path.Combine(directory, "none"),
            _ => null,
        });

        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => PublishStage.RunAsync(client, Request(image, registry), new CollectingSink().CreateLogger(), credentials));

        Assert.Contains($"Registry {registry.Address} rejected the login", exception.Message);
        Assert.Contains("HAGI_REGISTRY_USERNAME and HAGI_REGISTRY_PASSWORD", exception.Message);
        Assert.DoesNotContain("wrong-Pa55", exception.Message);
    }

    [Fact]
    public async Task Push_RegistryStoppedHalfway_NamesPushedAndNot()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        await using var registry = await LocalRegistry.StartAsync();

        // The registry is killed as soon as the first reference is logged as pushed, before the second push starts.
        var sink = new CollectingSink(logEvent =>
        {
            if (logEvent.MessageTemplate.Text.StartsWith("Pushed ", StringComparison.Ordinal))
            {
                registry.Stop();
            }
        });

        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => PublishStage.RunAsync(client, Request(image, registry), sink.CreateLogger(), EmptyCredentials()));

        var first = $"{registry.Address}/hagicode/ai-cli:1.0.0";
        var second = $"{registry.Address}/hagicode/ai-cli:sha-{Revision}";
        Assert.True(registry.HasExited);
        Assert.Contains($"Publishing stopped at {second}", exception.Message);
        Assert.Contains($"Pushed: {first} (sha256:", exception.Message);
        Assert.Contains($"Not pushed: {second}, {registry.Address}/hagicode/ai-cli:1.0, ", exception.Message);
        Assert.EndsWith("tags already present are skipped.", exception.Message);
        Assert.Contains("connection refused", exception.Message);
    }

    [Fact]
    public async Task Publish_InvalidRegistry_RejectedBeforePush()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        var request = new PublishRequest
        {
            SourceImage = image.Reference,
            Repository = "hagicode/ai-cli",
            Version = "1.0.0",
            Revision = Revision,
            Registries = ["127.0.0.1:5000/HagiCode"],
        };

        var exception = await Assert.ThrowsAsync<PipelineException>(() => PublishStage.RunAsync(client, request, new CollectingSink().CreateLogger(), EmptyCredentials()));

        Assert.Contains("'127.0.0.1:5000/HagiCode'", exception.Message);
        Assert.Contains("HOST[:PORT]/NAMESPACE", exception.Message);
        var inspected = await client.Images.InspectImageAsync(image.Id);
        Assert.DoesNotContain(inspected.RepoTags ?? [], tag => tag.StartsWith("127.0.0.1:5000/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_MissingSourceImage_Rejected()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        var request = new PublishRequest { SourceImage = "hagi-test-absent/ai-cli:none", Repository = "hagicode/ai-cli", Version = "1.0.0", Revision = Revision };

        var exception = await Assert.ThrowsAsync<PipelineException>(() => PublishStage.RunAsync(client, request, new CollectingSink().CreateLogger(), EmptyCredentials()));

        Assert.Contains("'hagi-test-absent/ai-cli:none'", exception.Message);
        Assert.Contains("does not exist", exception.Message);
    }

    private static PublishRequest Request(TestImage image, LocalRegistry registry) => new()
    {
        SourceImage = image.Reference,
        Repository = "hagicode/ai-cli",
        Version = "1.0.0",
        Revision = Revision,
        Registries = [$"{registry.Address}/hagicode"],
    };

    private RegistryCredentialResolver EmptyCredentials() =>
        new(name => name == "DOCKER_CONFIG" ? Path.Combine(directory, "empty-docker-config") : null);

    private sealed class SynchronousProgress(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}
