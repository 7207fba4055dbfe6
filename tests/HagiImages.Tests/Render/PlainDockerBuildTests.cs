using System.Diagnostics;
using Docker.DotNet.Models;
using HagiImages.Tests.Docker;
using HagiImages.Tests.Pipeline;

namespace HagiImages.Tests.Render;

/// <summary>
/// The rendered Dockerfile builds with the plain docker CLI from its own folder, without this tool, so anyone can
/// reproduce an image. The classic builder is used because Debian's engine has no BuildKit session support.
/// </summary>
[Collection("docker")]
public sealed class PlainDockerBuildTests
{
    private readonly DockerFixture fixture;

    public PlainDockerBuildTests(DockerFixture fixture)
    {
        this.fixture = fixture;
    }

    [Fact]
    public async Task RenderedDockerfile_BuildsWithDockerCli()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var baseImage = await fixture.GetBaseImageAsync();
        var folder = Path.Combine(Path.GetTempPath(), $"hagi-test-plain-build-{Guid.NewGuid():N}");
        var tag = $"hagi-test-plain-build/claude-code:{Guid.NewGuid():N}";
        try
        {
            CopyFolder(Path.Combine(BuildScript.RepositoryRoot, "images", "claude-code"), folder);
            const string hostBundle = "/etc/ssl/certs/ca-certificates.crt";
            if (File.Exists(hostBundle))
            {
                File.Copy(hostBundle, Path.Combine(folder, "build-only", "ca-bundle.crt"));
            }

            var (exitCode, output) = await RunDockerAsync(folder, ["build", "--build-arg", $"BASE_IMAGE={baseImage}", "--tag", tag, "--label", "hagiimages.test=true", "."]);

            Assert.True(exitCode == 0, output);
            var image = await client.Images.InspectImageAsync(tag);
            Assert.Equal("claude-code", image.Config?.Labels?["org.opencontainers.image.title"]);
            Assert.NotNull(image.Config?.Labels?["io.hagicode.cli.claude-code.version"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            try
            {
                await client.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = true });
            }
            catch (global::Docker.DotNet.DockerApiException)
            {
                // The build failed before it tagged anything.
            }

            // The docker CLI leaves the earlier stages as untagged images; remove those of this build.
            var dangling = await client.Images.ListImagesAsync(new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["dangling"] = new Dictionary<string, bool> { ["true"] = true } },
            });
            foreach (var leftover in dangling.Where(image => image.Labels?.ContainsKey("hagiimages.test") == true))
            {
                try
                {
                    await client.Images.DeleteImageAsync(leftover.ID, new ImageDeleteParameters { Force = true });
                }
                catch (global::Docker.DotNet.DockerApiException)
                {
                    // Another image still uses it as a parent.
                }
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunDockerAsync(string workingDirectory, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("docker") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOCKER_BUILDKIT"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
            }
        }

        foreach (var folder in Directory.EnumerateDirectories(source))
        {
            CopyFolder(folder, Path.Combine(target, Path.GetFileName(folder)));
        }
    }
}
