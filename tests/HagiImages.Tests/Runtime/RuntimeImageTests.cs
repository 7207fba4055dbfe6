using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BuildImages;
using HagiImages.SmokeTest;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.Runtime;

/// <summary>
/// Runs the runtime smoke checks against the rendered ai-cli image, and against a copy broken on purpose (no tini,
/// no settings merge) to show that the checks catch it.
/// </summary>
[Collection("docker")]
public sealed class RuntimeImageTests : IClassFixture<RuntimeImageFixture>
{
    private readonly RuntimeImageFixture fixture;

    public RuntimeImageTests(RuntimeImageFixture fixture)
    {
        this.fixture = fixture;
    }

    [Theory]
    [InlineData("runs-as-non-root")]
    [InlineData("puid-remap")]
    [InlineData("invalid-puid-rejected")]
    [InlineData("user-mode")]
    [InlineData("settings-injection-claude-code")]
    [InlineData("version-override-rejected")]
    [InlineData("stop-is-fast")]
    public async Task Check_BuiltImage_Passes(string checkName)
    {
        if (ClientOrSkip() is not { } client)
        {
            return;
        }

        var image = await fixture.GetImageAsync();

        var result = Assert.Single(await RunChecksAsync(client, image, [checkName]));

        Assert.True(result.Passed, $"{checkName}: {result.Reason}\n{result.ContainerLogs}");
    }

    [Fact]
    public async Task Checks_BrokenImage_Fail()
    {
        if (ClientOrSkip() is not { } client)
        {
            return;
        }

        var image = await fixture.GetImageAsync();
        var broken = $"{RuntimeImageFixture.TestRepository}-broken:{Guid.NewGuid():N}";
        try
        {
            await new ImageBuilder(client, fixture.Log.Logger).BuildAsync(new ImageBuildRequest
            {
                Context = BuildContext.Empty().AddFile("Dockerfile", $"""
                    FROM {image}
                    RUN rm /usr/bin/tini && sed -i 's/^  apply_settings .*$/  true/' /usr/local/bin/hagi-entrypoint
                    """),
                Tags = [broken],
                Labels = DockerFixture.TestLabels,
            });

            var results = await RunChecksAsync(client, broken, ["settings-injection-claude-code", "stop-is-fast"]);

            var settings = results.Single(result => result.Check == "settings-injection-claude-code");
            var stop = results.Single(result => result.Check == "stop-is-fast");
            Assert.False(settings.Passed);
            Assert.Contains("lacks 'env.ANTHROPIC_AUTH_TOKEN'", settings.Reason, StringComparison.Ordinal);
            Assert.False(stop.Passed);
            Assert.Contains("expected under 5 s", stop.Reason, StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                await client.Images.DeleteImageAsync(broken, new ImageDeleteParameters());
            }
            catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                // The build failed before tagging.
            }
        }
    }

    private DockerClient? ClientOrSkip()
    {
        if (fixture.Client is null && DockerFixture.Required)
        {
            throw new InvalidOperationException("HAGI_REQUIRE_DOCKER=1 but no Docker engine is reachable.");
        }

        return fixture.Client;
    }

    private async Task<IReadOnlyList<SmokeResult>> RunChecksAsync(DockerClient client, string image, IReadOnlyList<string> names)
    {
        var checks = SmokeTestStage.BuiltInChecks(fixture.Manifest).Where(check => names.Contains(check.Name)).ToList();
        Assert.Equal(names.Count, checks.Count);
        return await new SmokeTestStage(client, fixture.Log.Logger).RunAsync(fixture.Manifest, fixture.Lock, image, checks);
    }
}
