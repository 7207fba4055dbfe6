using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BuildImages;
using HagiImages.Docker;
using HagiImages.Manifest;
using HagiImages.Resolve;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.SmokeTest;

/// <summary>
/// Tiny images for smoke check tests, tagged <c>hagi-test-smoke-NAME:SUFFIX</c> and labelled as test objects. The
/// correct image adds three things to the bootstrap base image: an account, the installed package.json of a fake
/// CLI "tool", and an entrypoint that runs its arguments. Broken variants are built on top of it.
/// </summary>
internal sealed class SmokeTestImages : IAsyncDisposable
{
    public const string SharedBaseImage = "hagiimages/node:22.23.5-bookworm";

    public const string FakeToken = "npm_FakeSmokeToken7f3a9c21";

    private const UnixFileMode Executable = (UnixFileMode)0b111_101_101;

    private readonly DockerClient client;
    private readonly DockerFixture fixture;
    private readonly string suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> tags = [];

    public SmokeTestImages(DockerClient client, DockerFixture fixture)
    {
        this.client = client;
        this.fixture = fixture;
    }

    /// <summary>The manifest of the tiny images: user hagicode (1000) and one CLI "tool" from package "tool".</summary>
    public static ImageManifest Manifest(SmokeSettings? smoke = null) => new()
    {
        Name = "smoke-tiny",
        Repository = "hagi-test/smoke-tiny",
        Node = new NodeSettings { Version = "22", RegistryImage = "node:22-bookworm-slim" },
        User = new UserSettings { Name = "hagicode" },
        Clis = [new CliDefinition { Id = "tool", Package = "tool", Version = "1.0.0", Executables = ["tool"] }],
        Smoke = smoke ?? new SmokeSettings(),
    };

    public static ImageLock Lock() => new() { Node = TestPins.Node, Npm = TestPins.Npm, Clis = new Dictionary<string, PinnedPackage>() };

    /// <summary>Builds the correct image; <paramref name="enginesNode"/> is the fake CLI's engines.node range.</summary>
    public async Task<string> CorrectAsync(string enginesNode = ">=18")
    {
        var baseImage = await BaseImageAsync();
        var context = BuildContext.Empty()
            .AddFile("entrypoint.sh", "#!/bin/sh\nexec \"$@\"\n", Executable)
            .AddFile("Dockerfile", $$$"""
                FROM {{{baseImage}}}
                RUN useradd --uid 1000 --create-home --shell /bin/bash hagicode \
                 && mkdir -p /opt/hagi/clis/tool/node_modules/tool \
                 && printf '{"name":"tool","version":"1.0.0","engines":{"node":"%s"}}' '{{{enginesNode}}}' > /opt/hagi/clis/tool/node_modules/tool/package.json
                COPY entrypoint.sh /usr/local/bin/entrypoint
                LABEL org.example.title=smoke-tiny
                ENV TOOL_MODE=test
                WORKDIR /home/hagicode
                USER hagicode
                ENTRYPOINT ["/usr/local/bin/entrypoint"]
                CMD ["bash"]
                """);
        return await BuildAsync(enginesNode == ">=18" ? "correct" : "engines", context);
    }

    /// <summary>Builds an image from <paramref name="dockerfileBody"/> on top of the correct image.</summary>
    public async Task<string> DerivedAsync(string name, string dockerfileBody, IReadOnlyDictionary<string, string>? files = null)
    {
        var correct = await CorrectAsync();
        var context = BuildContext.Empty().AddFile("Dockerfile", $"FROM {correct}\n{dockerfileBody}\n");
        foreach (var (path, content) in files ?? new Dictionary<string, string>())
        {
            context = context.AddFile(path, content);
        }

        return await BuildAsync(name, context);
    }

    /// <summary>Builds a one-layer image from scratch that contains <paramref name="content"/> as <c>/blob</c>.</summary>
    public Task<string> ScratchAsync(byte[] content) =>
        BuildAsync("scratch", BuildContext.Empty().AddFile("blob", content).AddFile("Dockerfile", "FROM scratch\nCOPY blob /blob\n"));

    /// <summary>Returns the ids of the containers of <paramref name="image"/>, running or not.</summary>
    public async Task<IReadOnlyList<string>> ContainersOfAsync(string image)
    {
        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["ancestor"] = new Dictionary<string, bool> { [image] = true } },
        });
        return containers.Select(container => container.ID).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var tag in Enumerable.Reverse(tags))
        {
            try
            {
                await client.Images.DeleteImageAsync(tag, new ImageDeleteParameters());
            }
            catch (DockerApiException)
            {
                // Removed with an image built on top of it, or still used by a container a failed test left.
            }
        }
    }

    private async Task<string> BaseImageAsync()
    {
        try
        {
            await client.Images.InspectImageAsync(SharedBaseImage);
            return SharedBaseImage;
        }
        catch (DockerImageNotFoundException)
        {
            return await fixture.GetBaseImageAsync();
        }
    }

    private async Task<string> BuildAsync(string name, BuildContext context)
    {
        var tag = $"hagi-test-smoke-{name}:{suffix}";
        if (tags.Contains(tag))
        {
            return tag;
        }

        await new ImageBuilder(client, fixture.Log.Logger).BuildAsync(new ImageBuildRequest
        {
            Context = context,
            Tags = [tag],
            Labels = DockerFixture.TestLabels,
        });
        tags.Add(tag);
        return tag;
    }
}
