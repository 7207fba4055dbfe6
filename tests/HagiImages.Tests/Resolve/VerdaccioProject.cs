using System.Text.Json.Nodes;
using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Resolve;
using HagiImages.Tests.Fixtures;
using HagiImages.Tests.Npm;

namespace HagiImages.Tests.Resolve;

/// <summary>A CLI entry of a test manifest, with its own release policy when <paramref name="MinimumReleaseAgeDays"/> is set.</summary>
internal sealed record TestCli(string Id, string Package, string Version, double? MinimumReleaseAgeDays = null, string? MissingPublishTime = null);

/// <summary>
/// A temporary repository with an <c>image.json</c> shaped like <c>images/ai-cli/image.json</c> and a project
/// <c>.npmrc</c> that points at a <see cref="Verdaccio"/>. Disposing deletes the folder and the clients it created.
/// </summary>
internal sealed class VerdaccioProject : IDisposable
{
    private readonly Verdaccio _registry;
    private readonly List<NpmRegistryClient> _clients = [];

    public VerdaccioProject(Verdaccio registry)
    {
        _registry = registry;
        Root = Directory.CreateTempSubdirectory("hagi-test-verdaccio-project-").FullName;
    }

    public string Root { get; }

    /// <summary>Every event logged by the stages this project created.</summary>
    public InMemorySink Sink { get; private set; } = new();

    /// <summary>
    /// Writes <c>images/test-image/image.json</c> with Node "22", npm "10" and <paramref name="clis"/>, and loads it
    /// with <see cref="ManifestLoader"/>.
    /// </summary>
    public ImageManifest WriteManifest(IReadOnlyList<TestCli> clis, double minimumReleaseAgeDays = 3)
    {
        var cliArray = new JsonArray();
        foreach (var cli in clis)
        {
            var entry = new JsonObject
            {
                ["id"] = cli.Id,
                ["package"] = cli.Package,
                ["version"] = cli.Version,
                ["executables"] = new JsonArray(cli.Id),
                ["state"] = new JsonArray(new JsonObject { ["path"] = $"~/.{cli.Id}", ["kind"] = "directory" }),
            };
            if (cli.MinimumReleaseAgeDays is { } days)
            {
                entry["policy"] = new JsonObject
                {
                    ["minimumReleaseAgeDays"] = days,
                    ["missingPublishTime"] = cli.MissingPublishTime ?? "hold",
                };
            }

            cliArray.Add(entry);
        }

        var manifest = new JsonObject
        {
            ["name"] = "test-image",
            ["repository"] = "hagicode/test-image",
            ["description"] = "CLIs from the test registry",
            ["node"] = new JsonObject { ["version"] = "22", ["npm"] = "10", ["registryImage"] = "node:22-bookworm-slim" },
            ["user"] = new JsonObject { ["name"] = "hagicode", ["uid"] = 1000, ["gid"] = 1000 },
            ["policy"] = new JsonObject { ["minimumReleaseAgeDays"] = minimumReleaseAgeDays, ["missingPublishTime"] = "hold" },
            ["clis"] = cliArray,
        };

        var directory = Path.Combine(Root, "images", "test-image");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, ManifestLoader.ManifestFileName);
        File.WriteAllText(path, manifest.ToJsonString());
        return ManifestLoader.Load(path);
    }

    /// <summary>
    /// Writes the project <c>.npmrc</c> with <c>registry=</c> and, unless <paramref name="token"/> is empty, an
    /// <c>_authToken</c> line, then creates a stage that reads it through <see cref="NpmConfig.Load"/>.
    /// </summary>
    /// <param name="timeProvider">The stage's clock.</param>
    /// <param name="token">The token to write; null for the test user's token, empty for no token line.</param>
    /// <param name="timeout">The time allowed per request.</param>
    public ResolveStage CreateStage(TimeProvider timeProvider, string? token = null, TimeSpan? timeout = null)
    {
        token ??= _registry.Token;
        var npmrc = $"registry={_registry.Url}\n" + (token.Length > 0 ? $"//127.0.0.1:{_registry.Port}/:_authToken={token}\n" : "");
        File.WriteAllText(Path.Combine(Root, ".npmrc"), npmrc);

        var config = NpmConfig.Load(Root, Path.Combine(Root, "no-user.npmrc"), new Dictionary<string, string> { ["HOME"] = Root });
        (var logger, Sink) = InMemorySink.CreateLogger();
        var client = new NpmRegistryClient(config, logger, new NpmRegistryClientOptions { Timeout = timeout ?? TimeSpan.FromSeconds(10), MaxRetries = 0 });
        _clients.Add(client);
        return new ResolveStage(client, timeProvider, logger);
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        Directory.Delete(Root, recursive: true);
    }
}
