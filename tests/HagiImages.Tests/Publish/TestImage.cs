using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace HagiImages.Tests.Publish;

/// <summary>
/// A one-layer image imported from a tar that contains a single text file with random content, so each
/// instance has its own digest. It carries the label <c>hagiimages.test=true</c> and a repository under the
/// <c>hagi-test-</c> prefix. Disposing removes the image with every tag it got, including tags added by a test.
/// </summary>
internal sealed class TestImage : IAsyncDisposable
{
    private readonly IDockerClient client;

    private TestImage(IDockerClient client, string repository, string id)
    {
        this.client = client;
        Repository = repository;
        Id = id;
    }

    /// <summary>Repository in the form of a manifest's repository, such as <c>hagi-test-1a2b3c4d/ai-cli</c>.</summary>
    public string Repository { get; }

    /// <summary>Image id, <c>sha256:</c> followed by 64 hex digits.</summary>
    public string Id { get; }

    /// <summary>The reference the image was imported under.</summary>
    public string Reference => $"{Repository}:import";

    public static async Task<TestImage> CreateAsync(IDockerClient client)
    {
        var repository = $"hagi-test-{Guid.NewGuid().ToString("N")[..8]}/ai-cli";
        using var archive = new MemoryStream();
        await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"hagi publish test {Guid.NewGuid()}\n")),
            };
            await writer.WriteEntryAsync(entry);
        }

        archive.Position = 0;
        var parameters = new ImagesCreateParameters
        {
            FromSrc = "-",
            Repo = repository,
            Tag = "import",
            Changes = ["LABEL hagiimages.test=true"],
        };
        await client.Images.CreateImageAsync(parameters, archive, new AuthConfig(), new Progress<JSONMessage>());

        var image = await client.Images.InspectImageAsync($"{repository}:import");
        return new TestImage(client, repository, image.ID);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await client.Images.DeleteImageAsync(Id, new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
            // A test removed it already.
        }
    }
}
