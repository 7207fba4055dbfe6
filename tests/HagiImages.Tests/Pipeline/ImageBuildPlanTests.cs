using HagiImages.BuildImages;
using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Pipeline;
using HagiImages.Resolve;
using HagiImages.Tests.Manifest;
using HagiImages.Tests.Npm;

namespace HagiImages.Tests.Pipeline;

/// <summary>
/// Tests of the build context that <see cref="ImageBuildPlan"/> makes from a copy of images/ai-cli, and of fetching
/// tarballs for a sample image from the public npm registry.
/// </summary>
public sealed class ImageBuildPlanTests : IDisposable
{
    private const string IsNumberIntegrity = "sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==";
    private const string MsIntegrity = "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==";

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
            foreach (var tarball in tarballs[cli.Id])
            {
                Assert.Contains($"npm/{cli.Id}/cache/_cacache/content-v2/sha512/{tarball.Sha512Hex[..2]}/{tarball.Sha512Hex[2..4]}/{tarball.Sha512Hex[4..]}", entries);
            }

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
        var own = tarballs[cli].Single(tarball => tarball.Package == cli);
        var content = await ReadEntryAsync(archive, $"npm/{cli}/cache/{own.CachePath}");

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

    [Fact]
    public async Task FetchTarballs_ReadsLockOfEachCli()
    {
        // The sample manifest has the CLIs "tool" and "other", and their locks name two small real packages.
        var sample = ManifestLoader.Load(SampleManifest.Write(temporary.Path, SampleManifest.Create()));
        WriteLock(sample, "tool", "is-number", "7.0.0", IsNumberIntegrity);
        WriteLock(sample, "other", "ms", "2.1.3", MsIntegrity);
        var (logger, _) = InMemorySink.CreateLogger();
        var config = NpmConfig.Load(temporary.Path, Path.Combine(temporary.Path, "no-user.npmrc"), new Dictionary<string, string> { ["HOME"] = temporary.Path });
        using var client = new NpmRegistryClient(config, logger);
        var store = new PackageTarballStore(client, Path.Combine(temporary.Path, "store"), logger);

        var tarballs = await ImageBuildPlan.FetchTarballsAsync(sample, store, NpmPlatform.DebianOn("x86_64"));
        var entries = ImageBuildPlan.CreateContext(sample, tarballs).ListEntries();

        Assert.Equal(["other", "tool"], tarballs.Keys.Order(StringComparer.Ordinal));
        var isNumber = Assert.Single(tarballs["tool"]);
        var ms = Assert.Single(tarballs["other"]);
        Assert.Equal("is-number", isNumber.Package);
        Assert.Equal("ms", ms.Package);
        Assert.Equal(Convert.ToHexStringLower(Convert.FromBase64String(IsNumberIntegrity["sha512-".Length..])), isNumber.Sha512Hex);
        Assert.Contains($"npm/tool/cache/{isNumber.CachePath}", entries);
        Assert.Contains($"npm/other/cache/{ms.CachePath}", entries);
    }

    private static void WriteLock(ImageManifest image, string cliId, string package, string version, string integrity)
    {
        var folder = PackageTreeLocker.FolderFor(image, cliId);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "package-lock.json"), $$"""
            {
              "name": "{{cliId}}",
              "lockfileVersion": 3,
              "packages": {
                "": { "name": "{{cliId}}", "dependencies": { "{{package}}": "{{version}}" } },
                "node_modules/{{package}}": {
                  "version": "{{version}}",
                  "resolved": "https://registry.npmjs.org/{{package}}/-/{{package}}-{{version}}.tgz",
                  "integrity": "{{integrity}}"
                }
              }
            }
            """);
    }

    private static string Sha512Hex(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(File.ReadAllBytes(path)));

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
                new StoredTarball("@scope/dependency", "2.0.0", dependency, Sha512Hex(dependency)),
                new StoredTarball(id, "1.0.0", own, Sha512Hex(own)),
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
