using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using HagiImages.Tests.Docker;
using HagiImages.Tests.Fixtures;

namespace HagiImages.Tests.Pipeline;

/// <summary>
/// Runs targets through <c>build.sh</c> and the Cake host, as release managers and CI do. These guard the loading
/// of the library and its dependencies inside the Cake host, and the messages a user sees on bad input. They share
/// the engine collection, so that no two of them compile into the same <c>artifacts/build-host</c> at once.
/// </summary>
[Collection("docker")]
public sealed class BuildScriptTests
{
    private readonly DockerFixture fixture;

    public BuildScriptTests(DockerFixture fixture)
    {
        this.fixture = fixture;
    }

    [Fact]
    public async Task RenderCheck_PassesInCakeHost()
    {
        var (exitCode, output) = await BuildScript.RunAsync(BuildScript.RepositoryRoot, ["--target", "Render", "--check"]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("match a fresh render", output);
    }

    [Fact]
    public async Task Description_ListsEveryTarget()
    {
        var (exitCode, output) = await BuildScript.RunAsync(BuildScript.RepositoryRoot, ["--description"]);

        Assert.True(exitCode == 0, output);
        foreach (var target in new[] { "Resolve", "Bump", "Render", "BaseImage", "BuildImages", "SmokeTest", "Publish", "Test" })
        {
            Assert.Matches(new Regex($@"(?m)^\s*{target}\s+\S"), output);
        }
    }

    [Fact]
    public async Task UnreachableEngine_NamesDockerHost()
    {
        var (exitCode, output) = await BuildScript.RunAsync(
            BuildScript.RepositoryRoot,
            ["--target", "BaseImage", "--exclusive"],
            new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///tmp/hagi-test-no-engine.sock" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("unix:///tmp/hagi-test-no-engine.sock (from DOCKER_HOST) is not reachable", output);
    }

    [Fact]
    public async Task UnknownManifestField_NamesFileAndField()
    {
        var copy = BuildScript.CopyRepository();
        try
        {
            var manifestPath = Path.Combine(copy, "images", "ai-cli", "image.json");
            var text = await File.ReadAllTextAsync(manifestPath);
            await File.WriteAllTextAsync(manifestPath, text.Replace("\"name\": \"ai-cli\",", "\"name\": \"ai-cli\",\n  \"colour\": \"blue\",", StringComparison.Ordinal));

            var (exitCode, output) = await BuildScript.RunAsync(copy, ["--target", "Render"]);

            Assert.NotEqual(0, exitCode);
            Assert.Contains(manifestPath, output);
            Assert.Contains("colour", output);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task MisspeltOption_RejectedWithSuggestion()
    {
        var (exitCode, output) = await BuildScript.RunAsync(BuildScript.RepositoryRoot, ["--target", "Render", "--chekc"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Unknown option --chekc. Did you mean --check?", output);
        Assert.DoesNotContain("Generated files of image", output);
    }

    [Fact]
    public async Task InvalidRegistry_RejectedBeforeBuild()
    {
        var (exitCode, output) = await BuildScript.RunAsync(
            BuildScript.RepositoryRoot, ["--target", "Publish", "--base-image", "bootstrap", "--registry", "not a registry"]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Registry value 'not a registry' from --registry is invalid", output);
        Assert.DoesNotContain("Generated files of image", output);
        Assert.DoesNotContain("Building image", output);
    }

    [Theory]
    [InlineData("--ca-bundle", "/nonexistent/hagi-ca.pem", "CA bundle '/nonexistent/hagi-ca.pem' (from --ca-bundle) was not found")]
    [InlineData("--smoke-check", "no-such-check", "Smoke check 'no-such-check' (from --smoke-check) does not exist")]
    public async Task InvalidOptionValue_RejectedBeforeBuild(string option, string value, string message)
    {
        var (exitCode, output) = await BuildScript.RunAsync(
            BuildScript.RepositoryRoot, ["--target", "SmokeTest", "--base-image", "bootstrap", option, value]);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, output);
        Assert.DoesNotContain("Generated files of image", output);
        Assert.DoesNotContain("Building image", output);
    }

    [Fact]
    public async Task CorruptLockFile_SaysHowToFix()
    {
        var copy = BuildScript.CopyRepository();
        try
        {
            var lockPath = Path.Combine(copy, "images", "ai-cli", "image.lock.json");
            await File.WriteAllTextAsync(lockPath, "{ \"lockfileVersion\": 1, ");
            var dockerfile = await File.ReadAllTextAsync(Path.Combine(copy, "images", "ai-cli", "Dockerfile"));

            var (exitCode, output) = await BuildScript.RunAsync(copy, ["--target", "Render"]);

            Assert.NotEqual(0, exitCode);
            Assert.Contains($"Lock file '{lockPath}' is corrupt", output);
            Assert.Contains("--target Bump", output);
            Assert.Equal(dockerfile, await File.ReadAllTextAsync(Path.Combine(copy, "images", "ai-cli", "Dockerfile")));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task BumpToUnpublishedVersion_KeepsLock()
    {
        var copy = BuildScript.CopyRepository();
        try
        {
            var lockPath = Path.Combine(copy, "images", "ai-cli", "image.lock.json");
            var before = await File.ReadAllBytesAsync(lockPath);

            var (exitCode, output) = await BuildScript.RunAsync(copy, ["--target", "Bump", "--cli", "codex", "--to", "0.0.1-hagi-missing"]);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("0.0.1-hagi-missing", output);
            Assert.Contains("@openai/codex", output);
            Assert.Equal(before, await File.ReadAllBytesAsync(lockPath));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Publish_PushesImagePullableByDigest()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var registry = await LocalRegistry.StartAsync();
        var arguments = new List<string>
        {
            "--target", "Publish", "--image", "ai-cli", "--base-image", "bootstrap",
            "--registry", $"{registry.Address}/hagicode", "--version", "1.0.0-hagi.test",
        };
        if (File.Exists("/etc/ssl/certs/ca-certificates.crt"))
        {
            arguments.AddRange(["--ca-bundle", "/etc/ssl/certs/ca-certificates.crt"]);
        }

        var (exitCode, output) = await BuildScript.RunAsync(BuildScript.RepositoryRoot, arguments, timeout: TimeSpan.FromMinutes(40));

        Assert.True(exitCode == 0, output);
        Assert.Matches(new Regex(@"(?m)^(\d+) of \1 checks passed$"), output);
        var pushed = Regex.Match(output, $@"Pushed {Regex.Escape(registry.Address)}/hagicode/ai-cli:1\.0\.0-hagi\.test \((sha256:[0-9a-f]{{64}})\)");
        Assert.True(pushed.Success, output);

        var reference = $"{registry.Address}/hagicode/ai-cli@{pushed.Groups[1].Value}";
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = reference }, null, new Progress<JSONMessage>());
            var image = await client.Images.InspectImageAsync(reference);
            Assert.Equal("1.0.0-hagi.test", image.Config?.Labels?["org.opencontainers.image.version"]);
        }
        finally
        {
            // The run tagged the image it built with the version and sha- tags, locally and for the registry.
            var built = await client.Images.ListImagesAsync(new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["reference"] = new Dictionary<string, bool> { ["hagicode/ai-cli:1.0.0-hagi.test"] = true } },
            });
            var tags = built.SelectMany(image => image.RepoTags ?? [])
                .Where(tag => tag.StartsWith($"{registry.Address}/", StringComparison.Ordinal) || tag.StartsWith("hagicode/ai-cli:", StringComparison.Ordinal))
                .Prepend(reference)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            foreach (var tag in tags)
            {
                try
                {
                    await client.Images.DeleteImageAsync(tag, new ImageDeleteParameters());
                }
                catch (global::Docker.DotNet.DockerApiException)
                {
                    // The reference may be gone already; the image itself stays for other tags.
                }
            }
        }
    }
}
