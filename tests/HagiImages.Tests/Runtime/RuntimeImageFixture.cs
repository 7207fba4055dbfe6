using System.Net;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BaseImage;
using HagiImages.BuildImages;
using HagiImages.Docker;
using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Pipeline;
using HagiImages.Render;
using HagiImages.Resolve;
using HagiImages.Tests.Docker;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.Runtime;

/// <summary>
/// The rendered ai-cli image, made once per test class. A local <c>hagicode/ai-cli</c> image is reused when its
/// CLI version labels match the lock file and its entrypoint equals the rendered one; otherwise the image is built
/// as the BuildImages target builds it and tagged <c>hagi-test-runtime/ai-cli:&lt;hash of the inputs&gt;</c>, which
/// is removed at the end unless <c>HAGI_KEEP_TEST_IMAGES=1</c>.
/// </summary>
public sealed class RuntimeImageFixture : IAsyncLifetime
{
    public const string TestRepository = "hagi-test-runtime/ai-cli";
    private const string SharedRepository = "hagicode/ai-cli";
    private const string EntrypointPath = "/usr/local/bin/hagi-entrypoint";

    private readonly SemaphoreSlim gate = new(1, 1);
    private string? image;
    private bool builtHere;

    public DockerClient? Client { get; private set; }

    public TestLog Log { get; } = new();

    public ImageManifest Manifest { get; } = ManifestLoader.Load(RepositoryLayout.AiCliManifest);

    public ImageLock Lock => ImageLockStore.Read(Manifest);

    public async Task InitializeAsync()
    {
        try
        {
            Client = await DockerEngine.ConnectAsync(Log.Logger).ConfigureAwait(false);
        }
        catch (PipelineException) when (!DockerFixture.Required)
        {
            Client = null;
        }
    }

    /// <summary>Returns the image reference, building it on the first call.</summary>
    public async Task<string> GetImageAsync()
    {
        var client = Client ?? throw new InvalidOperationException("No Docker engine.");
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            image ??= await FindOrBuildAsync(client).ConfigureAwait(false);
            return image;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (Client is not null && builtHere && image is not null && Environment.GetEnvironmentVariable("HAGI_KEEP_TEST_IMAGES") != "1")
        {
            try
            {
                await Client.Images.DeleteImageAsync(image, new ImageDeleteParameters()).ConfigureAwait(false);
            }
            catch (DockerApiException exception) when (exception.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                // A conflict means a container of the image is left; the next run reuses or removes the image.
            }
        }

        Client?.Dispose();
        gate.Dispose();
    }

    private async Task<string> FindOrBuildAsync(DockerClient client)
    {
        var rendered = new RenderStage(Log.Logger).RenderImage(Manifest);
        var entrypoint = rendered.Single(file => Path.GetFileName(file.Path) == "entrypoint.sh").Content;
        var imageLock = Lock;

        foreach (var candidate in await ListTagsAsync(client, SharedRepository).ConfigureAwait(false))
        {
            if (await MatchesAsync(client, candidate, imageLock, entrypoint).ConfigureAwait(false))
            {
                return candidate;
            }
        }

        var inputs = string.Concat(rendered.Select(file => file.Content)) + ImageLockStore.Serialize(imageLock);
        var tag = $"{TestRepository}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(inputs)))[..16]}";
        if ((await ListTagsAsync(client, TestRepository).ConfigureAwait(false)).Contains(tag))
        {
            return tag;
        }

        var baseImage = await new BaseImageProvider(client, new HttpClient { Timeout = TimeSpan.FromMinutes(10) }, Log.Logger)
            .EnsureAsync(BaseImageRequest.FromManifest(Manifest, imageLock, BaseImageSource.Bootstrap)).ConfigureAwait(false);
        using var npm = new NpmRegistryClient(NpmConfig.Load(RepositoryLayout.Root), Log.Logger);
        var store = new PackageTarballStore(npm, Path.Combine(RepositoryLayout.Root, "artifacts", "cache", "npm-tarballs"), Log.Logger);
        var architecture = (await client.System.GetSystemInfoAsync().ConfigureAwait(false)).Architecture;
        var tarballs = await ImageBuildPlan.FetchTarballsAsync(Manifest, store, NpmPlatform.DebianOn(architecture)).ConfigureAwait(false);
        var labels = new Dictionary<string, string>(DockerFixture.TestLabels);
        foreach (var cli in Manifest.Clis)
        {
            labels[$"io.hagicode.cli.{cli.Id}.version"] = imageLock.Clis[cli.Id].Version;
        }

        await new ImageBuilder(client, Log.Logger).BuildAsync(new ImageBuildRequest
        {
            Context = ImageBuildPlan.CreateContext(Manifest, tarballs),
            RemoveIntermediateImages = false,
            Tags = [tag],
            BuildArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage },
            Labels = labels,
        }).ConfigureAwait(false);
        builtHere = true;
        return tag;
    }

    private async Task<bool> MatchesAsync(DockerClient client, string candidate, ImageLock imageLock, string entrypoint)
    {
        var inspect = await client.Images.InspectImageAsync(candidate).ConfigureAwait(false);
        var labels = inspect.Config?.Labels ?? new Dictionary<string, string>();
        if (Manifest.Clis.Any(cli => !labels.TryGetValue($"io.hagicode.cli.{cli.Id}.version", out var version) || version != imageLock.Clis[cli.Id].Version))
        {
            return false;
        }

        var result = await new ContainerRunner(client, Log.Logger).RunAsync(new ContainerRunRequest
        {
            Image = candidate,
            Entrypoint = ["cat"],
            Command = [EntrypointPath],
            Labels = DockerFixture.TestLabels,
        }).ConfigureAwait(false);
        return result.ExitCode == 0 && result.Stdout == entrypoint;
    }

    private static async Task<IReadOnlyList<string>> ListTagsAsync(DockerClient client, string repository)
    {
        var images = await client.Images.ListImagesAsync(new ImagesListParameters()).ConfigureAwait(false);
        return images.SelectMany(entry => entry.RepoTags ?? [])
            .Where(tag => tag.StartsWith(repository + ":", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
