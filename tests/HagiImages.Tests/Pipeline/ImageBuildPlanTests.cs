using HagiImages.BuildImages;
using HagiImages.Manifest;
using HagiImages.Pipeline;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.Pipeline;

/// <summary>Tests of the build context that <see cref="ImageBuildPlan"/> makes from a copy of images/ai-cli.</summary>
public sealed class ImageBuildPlanTests : IDisposable
{
    private readonly TemporaryDirectory temporary = new();
    private readonly ImageManifest manifest;

    public ImageBuildPlanTests()
    {
        var imageDirectory = temporary.CopyTree(RepositoryLayout.AiCliDirectory, Path.Combine("images", "ai-cli"));
        manifest = ManifestLoader.Load(Path.Combine(imageDirectory, ManifestLoader.ManifestFileName));
    }

    public void Dispose() => temporary.Dispose();

    [Fact]
    public void CreateContext_AddsTarballsOfEveryCli()
    {
        var tarballs = TarballsFor(manifest.Clis.Select(cli => cli.Id));

        var entries = ImageBuildPlan.CreateContext(manifest, tarballs).ListEntries();

        Assert.NotEmpty(manifest.Clis);
        foreach (var cli in manifest.Clis)
        {
            Assert.Contains($"npm/{cli.Id}/tarballs/{cli.Id}-1.0.0.tgz", entries);
            Assert.Contains($"npm/{cli.Id}/tarballs/@scope+dependency-2.0.0.tgz", entries);
            Assert.Contains($"npm/{cli.Id}/package-lock.json", entries);
        }
    }

    [Fact]
    public async Task CreateContext_SendsTarballContent()
    {
        var tarballs = TarballsFor(manifest.Clis.Select(cli => cli.Id));
        var cli = manifest.Clis[0].Id;

        using var archive = new MemoryStream();
        await ImageBuildPlan.CreateContext(manifest, tarballs).WriteToAsync(archive);
        archive.Position = 0;
        var content = await ReadEntryAsync(archive, $"npm/{cli}/tarballs/{cli}-1.0.0.tgz");

        Assert.Equal($"tarball of {cli}", content);
    }

    [Fact]
    public void CreateContext_MissingCliThrows()
    {
        var missing = manifest.Clis[^1].Id;
        var tarballs = TarballsFor(manifest.Clis.Select(cli => cli.Id).Where(id => id != missing));

        var exception = Assert.Throws<ArgumentException>(() => ImageBuildPlan.CreateContext(manifest, tarballs));

        Assert.Equal("tarballs", exception.ParamName);
        Assert.Contains($"'{missing}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateContext_SendsNoBuildOnlySecrets()
    {
        // A plain `docker build` reads these files from build-only/, so a release manager may have left them there.
        var buildOnly = Path.Combine(manifest.Directory, "build-only");
        File.WriteAllText(Path.Combine(buildOnly, "ca-bundle.crt"), "-----BEGIN CERTIFICATE-----\n");
        File.WriteAllText(Path.Combine(buildOnly, "npmrc"), "//registry.npmjs.org/:_authToken=npm_secret\n");
        var tarballs = TarballsFor(manifest.Clis.Select(cli => cli.Id));

        var entries = ImageBuildPlan.CreateContext(manifest, tarballs).ListEntries();

        Assert.DoesNotContain("build-only/ca-bundle.crt", entries);
        Assert.DoesNotContain("build-only/npmrc", entries);
        Assert.Contains("build-only/", entries);
        Assert.Contains("build-only/.gitignore", entries);
    }

    private Dictionary<string, IReadOnlyList<StoredTarball>> TarballsFor(IEnumerable<string> cliIds)
    {
        var tarballs = new Dictionary<string, IReadOnlyList<StoredTarball>>(StringComparer.Ordinal);
        foreach (var id in cliIds)
        {
            var own = Path.Combine(temporary.Path, "store", $"{id}.tgz");
            var dependency = Path.Combine(temporary.Path, "store", "dependency.tgz");
            Directory.CreateDirectory(Path.GetDirectoryName(own)!);
            File.WriteAllText(own, $"tarball of {id}");
            File.WriteAllText(dependency, "tarball of @scope/dependency");
            tarballs[id] =
            [
                new StoredTarball("@scope/dependency", "2.0.0", dependency, "@scope+dependency-2.0.0.tgz"),
                new StoredTarball(id, "1.0.0", own, $"{id}-1.0.0.tgz"),
            ];
        }

        return tarballs;
    }

    private static async Task<string> ReadEntryAsync(Stream archive, string name)
    {
        await using var reader = new System.Formats.Tar.TarReader(archive);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name == name && entry.DataStream is not null)
            {
                using var text = new StreamReader(entry.DataStream);
                return await text.ReadToEndAsync();
            }
        }

        throw new InvalidOperationException($"The context has no entry {name}.");
    }
}
