using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Resolve;
using HagiImages.Tests.Npm;

namespace HagiImages.Tests.Resolve;

/// <summary>Tests that resolve the real image manifest against the public npm registry.</summary>
public sealed class LiveRegistryTests
{
    [Fact]
    public async Task ResolvesRealClis()
    {
        var repositoryRoot = FindRepositoryRoot();
        var manifest = ManifestLoader.Load(Path.Combine(repositoryRoot, "images", "ai-cli", ManifestLoader.ManifestFileName));
        var (logger, _) = InMemorySink.CreateLogger();
        using var client = new NpmRegistryClient(NpmConfig.Load(repositoryRoot), logger);
        var stage = new ResolveStage(client, TimeProvider.System, logger);

        var report = await stage.ResolveAsync(manifest);

        Assert.True(report.Succeeded, string.Join('\n', report.Errors));
        var node = NpmVersion.Parse(report.Packages.Single(package => package.Role == PackageRole.Node).Pin!.Version);
        Assert.Equal(22, (int)node.Major);
        Assert.Equal(10, (int)NpmVersion.Parse(report.Packages.Single(package => package.Role == PackageRole.Npm).Pin!.Version).Major);
        foreach (var cli in manifest.Clis)
        {
            var resolution = report.Packages.Single(package => package.Role == PackageRole.Cli && package.Id == cli.Id);
            Assert.Equal(cli.Package, resolution.Package);
            Assert.StartsWith("sha512-", resolution.Pin!.Integrity, StringComparison.Ordinal);
            Assert.True(resolution.Pick!.Published <= DateTimeOffset.UtcNow - TimeSpan.FromDays(manifest.Policy.MinimumReleaseAgeDays));
            if (resolution.Pick.Chosen.EnginesNode is { } engines)
            {
                Assert.True(NpmRange.Parse(engines).IsSatisfiedBy(node, includePrerelease: true), $"{cli.Package} requires Node {engines}, pinned Node is {node}.");
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "images", "ai-cli", ManifestLoader.ManifestFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No images/ai-cli/image.json above {AppContext.BaseDirectory}.");
    }
}
