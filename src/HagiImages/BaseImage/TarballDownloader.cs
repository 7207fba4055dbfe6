using System.Diagnostics;
using HagiImages.Pipeline;
using HagiImages.Resolve;
using Serilog;

namespace HagiImages.BaseImage;

/// <summary>Downloads pinned npm tarballs and checks their integrity before anyone uses them.</summary>
internal sealed class TarballDownloader
{
    private readonly HttpClient httpClient;
    private readonly ILogger logger;

    public TarballDownloader(HttpClient httpClient, ILogger logger)
    {
        this.httpClient = httpClient;
        this.logger = logger;
    }

    /// <summary>Returns the verified content of the pin's tarball.</summary>
    /// <exception cref="PipelineException">The URL is invalid, the download failed or the integrity does not match.</exception>
    public async Task<byte[]> DownloadAsync(PinnedPackage pin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pin);
        TarballIntegrity.ExpectedValues(pin);
        if (!Uri.TryCreate(pin.Tarball, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new PipelineException($"The tarball URL '{pin.Tarball}' of {pin.Package}@{pin.Version} in the lock file is not an http(s) URL. Resolve the pin again.");
        }

        var stopwatch = Stopwatch.StartNew();
        byte[] content;
        try
        {
            using var response = await httpClient.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new PipelineException(
                    $"Downloading {pin.Package}@{pin.Version} from {url} failed with HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException($"Downloading {pin.Package}@{pin.Version} from {url} failed: {exception.Message}", exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PipelineException($"Downloading {pin.Package}@{pin.Version} from {url} timed out after {httpClient.Timeout.TotalSeconds:F0} s.", exception);
        }

        TarballIntegrity.Verify(pin, content);
        logger.Information(
            "Downloaded {Package}@{Version} ({Megabytes:F1} MB, integrity verified) in {Seconds:F1} s",
            pin.Package, pin.Version, content.Length / 1048576.0, stopwatch.Elapsed.TotalSeconds);
        return content;
    }
}
