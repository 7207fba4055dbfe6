using System.Text.RegularExpressions;
using HagiImages.Npm;
using HagiImages.Pipeline;
using HagiImages.Resolve;
using HagiImages.Tests.Manifest;
using HagiImages.Tests.Npm;

namespace HagiImages.Tests.Resolve;

/// <summary>Tests of <see cref="PackageLockLibc"/>; those that add libc read the public npm registry.</summary>
public sealed partial class PackageLockLibcTests : IDisposable
{
    private const string Source = "images/sample/npm/tool/package-lock.json";

    private static readonly string CommittedLockPath =
        Path.Combine(RepositoryLayout.AiCliDirectory, "npm", "claude-code", "package-lock.json");

    private readonly string root = Directory.CreateTempSubdirectory("hagi-test-libc-").FullName;
    private readonly NpmRegistryClient client;

    public PackageLockLibcTests()
    {
        // No user .npmrc: the default registry, https://registry.npmjs.org/, without a token.
        var config = NpmConfig.Load(root, Path.Combine(root, "no-user.npmrc"), new Dictionary<string, string> { ["HOME"] = root });
        client = new NpmRegistryClient(config, InMemorySink.CreateLogger().Logger);
    }

    public void Dispose()
    {
        client.Dispose();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Add_RestoresCommittedLock()
    {
        var committed = await File.ReadAllTextAsync(CommittedLockPath);
        var stripped = LibcList().Replace(committed, "");
        Assert.Contains("\"libc\"", committed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"libc\"", stripped, StringComparison.Ordinal);

        var restored = await PackageLockLibc.AddAsync(stripped, CommittedLockPath, client);

        Assert.Equal(committed, restored);
    }

    [Fact]
    public async Task Add_CommittedLockUnchanged()
    {
        var committed = await File.ReadAllTextAsync(CommittedLockPath);

        var result = await PackageLockLibc.AddAsync(committed, CommittedLockPath, client);

        Assert.Same(committed, result);
    }

    [Fact]
    public async Task Add_NoPlatformEntriesUnchanged()
    {
        const string Lock = """
            {
              "name": "tool",
              "lockfileVersion": 3,
              "packages": {
                "": { "name": "tool", "dependencies": { "ms": "2.1.3" } },
                "node_modules/ms": { "version": "2.1.3", "license": "MIT" }
              }
            }
            """;

        var result = await PackageLockLibc.AddAsync(Lock, Source, client);

        Assert.Same(Lock, result);
    }

    [Fact]
    public async Task Add_InvalidJsonNamesSource()
    {
        var exception = await Assert.ThrowsAsync<PipelineException>(() => PackageLockLibc.AddAsync("{ \"packages\": ", Source, client));

        Assert.Contains(Source, exception.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_NoPackagesNamesSource()
    {
        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => PackageLockLibc.AddAsync("""{ "lockfileVersion": 1, "dependencies": {} }""", Source, client));

        Assert.Contains(Source, exception.Message, StringComparison.Ordinal);
        Assert.Contains("no 'packages' object", exception.Message, StringComparison.Ordinal);
    }

    // A "libc" array of the committed lock: on its own lines and followed by another property of its entry.
    [GeneratedRegex(@"^ *""libc"": \[[^\]]*\],\n", RegexOptions.Multiline)]
    private static partial Regex LibcList();
}
