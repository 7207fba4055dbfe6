using HagiImages.BaseImage;
using HagiImages.Pipeline;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.BaseImage;

[Collection("docker")]
public sealed class RegistryBaseImageTests
{
    private readonly DockerFixture fixture;

    public RegistryBaseImageTests(DockerFixture fixture) => this.fixture = fixture;

    [Fact]
    public async Task Registry_UsesLocalImage()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var local = await fixture.GetBaseImageAsync();
        var provider = new BaseImageProvider(client, fixture.Http, fixture.Log.Logger);

        var reference = await provider.EnsureAsync(new BaseImageRequest { Source = BaseImageSource.Registry, RegistryImage = local });

        Assert.Equal(local, reference);
    }

    [Fact]
    public async Task Registry_UnreachablePointsToBootstrap()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        // Port 9 on the loopback address has no registry, so the pull fails at once without leaving the machine.
        var provider = new BaseImageProvider(client, fixture.Http, fixture.Log.Logger);

        var exception = await Assert.ThrowsAsync<PipelineException>(
            () => provider.EnsureAsync(new BaseImageRequest { Source = BaseImageSource.Registry, RegistryImage = "127.0.0.1:9/hagi-test/missing:1" }));

        Assert.Contains("127.0.0.1:9/hagi-test/missing:1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("--base-image bootstrap", exception.Message, StringComparison.Ordinal);
    }
}
