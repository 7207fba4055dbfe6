using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BuildImages;
using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Pipeline;
using HagiImages.Render;
using HagiImages.Resolve;
using HagiImages.Tests.Docker;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.BuildImages;

/// <summary>
/// Builds a rendered image with two small real CLIs twice without the build cache: each CLI's layer must come out
/// byte-identical, so that a registry skips it after a bump of another CLI.
/// </summary>
[Collection("docker")]
public sealed class CliLayerEngineTests
{
    private static readonly (string Id, string Package, string Version)[] Clis = [("semver", "semver", "7.6.3"), ("mkdirp", "mkdirp", "3.0.1")];

    private readonly DockerFixture fixture;

    public CliLayerEngineTests(DockerFixture fixture)
    {
        this.fixture = fixture;
    }

    [Fact]
    public async Task CliLayers_BuiltTwiceWithoutCache_AreIdentical()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var root = Directory.CreateTempSubdirectory("hagi-test-cli-layers-").FullName;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        string[] tags = [$"hagi-test-cli-layers:{suffix}-a", $"hagi-test-cli-layers:{suffix}-b"];
        try
        {
            var manifest = await WriteImageAsync(client, root);
            using var npm = new NpmRegistryClient(NpmConfig.Load(RepositoryLayout.Root), fixture.Log.Logger);
            var store = new PackageTarballStore(npm, Path.Combine(root, "store"), fixture.Log.Logger);
            var architecture = (await client.System.GetSystemInfoAsync()).Architecture;
            var tarballs = await ImageBuildPlan.FetchTarballsAsync(manifest, store, NpmPlatform.DebianOn(architecture));
            var builder = new ImageBuilder(client, fixture.Log.Logger);
            var layers = new List<IList<string>>();
            foreach (var tag in tags)
            {
                await builder.BuildAsync(new ImageBuildRequest
                {
                    Context = ImageBuildPlan.CreateContext(manifest, tarballs),
                    Tags = [tag],
                    BuildArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = await fixture.GetBaseImageAsync() },
                    Labels = DockerFixture.TestLabels,
                    NoCache = true,
                });
                layers.Add((await client.Images.InspectImageAsync(tag)).RootFS?.Layers ?? []);
            }

            // The last layers are the CLIs', one each, in manifest order.
            var first = layers[0].TakeLast(Clis.Length).ToList();
            var second = layers[1].TakeLast(Clis.Length).ToList();
            Assert.Equal(first, second);
            Assert.NotEqual(layers[0][^(Clis.Length + 2)], layers[1][^(Clis.Length + 2)]);
        }
        finally
        {
            foreach (var tag in tags)
            {
                try
                {
                    await client.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true });
                }
                catch (DockerApiException)
                {
                    // The build failed before it tagged this one.
                }
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Writes the manifest, lock, npm lock files and generated files of image "tiny" under <paramref name="root"/>.</summary>
    private async Task<ImageManifest> WriteImageAsync(DockerClient client, string root)
    {
        var images = Path.Combine(root, "images");
        CopyFolder(Path.Combine(RepositoryLayout.Root, "images", "templates"), Path.Combine(images, "templates"));
        var folder = Path.Combine(images, "tiny");
        Directory.CreateDirectory(folder);
        var clis = new JsonArray(Clis.Select(cli => (JsonNode?)new JsonObject
        {
            ["id"] = cli.Id,
            ["package"] = cli.Package,
            ["version"] = cli.Version,
            ["executables"] = new JsonArray(cli.Id),
        }).ToArray());
        var document = new JsonObject
        {
            ["name"] = "tiny",
            ["repository"] = "hagi-test/tiny",
            ["description"] = "Two small CLIs",
            ["node"] = new JsonObject { ["version"] = "22", ["npm"] = "10", ["registryImage"] = "node:22-bookworm-slim" },
            ["user"] = new JsonObject { ["name"] = "hagicode", ["uid"] = 1000, ["gid"] = 1000 },
            ["clis"] = clis,
        };
        var manifestPath = Path.Combine(folder, ManifestLoader.ManifestFileName);
        await File.WriteAllTextAsync(manifestPath, document.ToJsonString());
        var manifest = ManifestLoader.Load(manifestPath);

        using var npm = new NpmRegistryClient(NpmConfig.Load(RepositoryLayout.Root), fixture.Log.Logger);
        var pins = new Dictionary<string, PinnedPackage>(StringComparer.Ordinal);
        foreach (var (id, package, version) in Clis)
        {
            var published = (await npm.GetPackageAsync(package)).Versions[version];
            pins[id] = new PinnedPackage { Package = package, Spec = version, Version = version, Integrity = published.Integrity!, Tarball = published.Tarball! };
        }

        var imageLock = new ImageLock { Node = TestPins.Node, Npm = TestPins.Npm, Clis = pins };
        await ImageLockStore.WriteAsync(ImageLockStore.PathFor(manifest), imageLock);
        var settings = BuildSettingsResolver.Resolve(null, NpmConfig.Load(RepositoryLayout.Root), fixture.Log.Logger);
        var files = await new PackageTreeLocker(client, fixture.Log.Logger)
            .GenerateAsync(manifest, imageLock, manifest.Clis, await fixture.GetBaseImageAsync(), settings, DateTimeOffset.UtcNow);
        await PackageTreeLocker.WriteAsync(files);
        await new RenderStage(fixture.Log.Logger).WriteAsync(manifest);
        return manifest;
    }

    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }
}
