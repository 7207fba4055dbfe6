using Docker.DotNet;
using HagiImages.Manifest;
using HagiImages.Resolve;
using HagiImages.SmokeTest;
using HagiImages.SmokeTest.Checks;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.SmokeTest;

/// <summary>
/// The first three built-in checks (non-root user, CLI version, state persistence) pass on a correct tiny image and
/// fail on one built to break them.
/// </summary>
[Collection("docker")]
public sealed class CoreChecksEngineTests
{
    private const string ToolScript = "USER root\nRUN printf '#!/bin/sh\\necho \"tool {0}\"\\n' > /usr/local/bin/tool && chmod 755 /usr/local/bin/tool\nUSER hagicode";

    private readonly DockerFixture fixture;

    public CoreChecksEngineTests(DockerFixture fixture)
    {
        this.fixture = fixture;
    }

    [Fact]
    public async Task NonRootUser_RootImage_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var correct = await images.CorrectAsync();
        var root = await images.DerivedAsync("root-user", "USER root");

        var passing = await RunAsync(client, SmokeTestImages.Manifest(), correct, new NonRootUserCheck());
        var failing = await RunAsync(client, SmokeTestImages.Manifest(), root, new NonRootUserCheck());

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("'id -u' printed '0'", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliVersion_OtherVersion_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var pinned = await images.DerivedAsync("tool-pinned", string.Format(System.Globalization.CultureInfo.InvariantCulture, ToolScript, "1.0.0"));
        var other = await images.DerivedAsync("tool-other", string.Format(System.Globalization.CultureInfo.InvariantCulture, ToolScript, "1.0.01"));

        var passing = await RunAsync(client, SmokeTestImages.Manifest(), pinned, new CliVersionCheck("tool"));
        var failing = await RunAsync(client, SmokeTestImages.Manifest(), other, new CliVersionCheck("tool"));

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("does not contain the pinned version 1.0.0", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatePersistence_EntrypointWipesState_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        const string stateFolder = "USER root\nRUN install -d -o 1000 -g 1000 /home/hagicode/.tool\nUSER hagicode";
        var keeping = await images.DerivedAsync("state-kept", stateFolder);
        var wiping = await images.DerivedAsync(
            "state-wiped",
            stateFolder + "\nENTRYPOINT [\"sh\", \"-c\", \"rm -rf /home/hagicode/.tool/* /home/hagicode/.tool/.[!.]*; exec \\\"$@\\\"\", \"entrypoint\"]");
        var manifest = SmokeTestImages.Manifest() with
        {
            Clis = [SmokeTestImages.Manifest().Clis[0] with { State = [new StatePath { Path = "~/.tool" }] }],
        };

        var passing = await RunAsync(client, manifest, keeping, new StatePersistenceCheck());
        var failing = await RunAsync(client, manifest, wiping, new StatePersistenceCheck());

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("after docker restart", failing.Reason, StringComparison.Ordinal);
    }

    private async Task<SmokeResult> RunAsync(DockerClient client, ImageManifest manifest, string image, ISmokeCheck check)
    {
        var imageLock = SmokeTestImages.Lock() with
        {
            Clis = new Dictionary<string, PinnedPackage>
            {
                ["tool"] = new()
                {
                    Package = "tool",
                    Spec = "1.0.0",
                    Version = "1.0.0",
                    Integrity = TestPins.Node.Integrity,
                    Tarball = "https://registry.npmjs.org/tool/-/tool-1.0.0.tgz",
                },
            },
        };
        var stage = new SmokeTestStage(client, fixture.Log.Logger);
        var results = await stage.RunAsync(manifest, imageLock, image, [check]);
        return Assert.Single(results);
    }
}
