using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using HagiImages.Pipeline;
using Polly;
using Polly.Retry;
using Serilog;

namespace HagiImages.Npm;

/// <summary>Settings of <see cref="NpmRegistryClient"/>.</summary>
public sealed record NpmRegistryClientOptions
{
    /// <summary>Time allowed for one request, including reading the body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for downloading one tarball; the tarballs of native CLIs are hundreds of megabytes.</summary>
    public TimeSpan TarballTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a request that got HTTP 429, a 5xx status or a connection error is repeated.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Wait before the first retry; each further retry waits twice as long. A 429's Retry-After wins when it is longer, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before one retry.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// PEM text of certificate authorities trusted in addition to the system's, such as the CA of an
    /// HTTPS-intercepting proxy (the build's <c>--ca-bundle</c>); null for none.
    /// </summary>
    public string? ExtraCaBundle { get; init; }

    /// <summary>How many package documents are fetched at the same time.</summary>
    public int MaxParallelRequests { get; init; } = 4;
}

/// <summary>
/// Fetches full package documents from npm registries, with the registry and bearer token that
/// <see cref="NpmConfig"/> gives for each package.
/// </summary>
public sealed class NpmRegistryClient : IDisposable
{
    // The object identifier of the extended key usage id-kp-serverAuth (TLS server authentication).
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    private readonly HttpClient _httpClient;
    private readonly ILogger _logger;
    private readonly NpmRegistryClientOptions _options;

    /// <summary>Creates a client. When <see cref="NpmConfig.CaFile"/> is set, its certificates replace the system trust store.</summary>
    /// <exception cref="PipelineException">The CA file contains no PEM certificate, or <see cref="NpmRegistryClientOptions.ExtraCaBundle"/>
    /// contains none or a malformed one.</exception>
    public NpmRegistryClient(NpmConfig config, ILogger logger, NpmRegistryClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(logger);
        Config = config;
        _logger = logger.ForContext<NpmRegistryClient>();
        _options = options ?? new NpmRegistryClientOptions();
        if (_options.Timeout <= TimeSpan.Zero || _options.MaxRetries < 0 || _options.MaxParallelRequests < 1)
        {
            throw new ArgumentException("Timeout must be positive, MaxRetries zero or more and MaxParallelRequests one or more.", nameof(options));
        }

        _httpClient = new HttpClient(CreateHandler(config, _options.ExtraCaBundle), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _httpClient.DefaultRequestHeaders.UserAgent.ParseAdd("HagiImages/1.0");
    }

    /// <summary>The configuration that names registries and tokens.</summary>
    public NpmConfig Config { get; }

    /// <summary>
    /// Fetches the full package document of <paramref name="packageName"/> from its registry.
    /// </summary>
    /// <exception cref="PipelineException">The package was not found, the request failed or timed out, or the
    /// registry returned malformed JSON; the message names the URL.</exception>
    public async Task<NpmPackageDocument> GetPackageAsync(string packageName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageName);
        var registry = Config.RegistryFor(packageName);
        var url = new Uri(registry, packageName.Replace("/", "%2F", StringComparison.Ordinal));
        var token = Config.TokenFor(registry);
        var stopwatch = Stopwatch.StartNew();

        string json;
        using (var response = await SendAsync(url, token, _options.Timeout, cancellationToken).ConfigureAwait(false))
        {
            CheckStatus(response, packageName, registry, url);
            json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        NpmPackageDocument document;
        try
        {
            document = NpmPackageDocument.Parse(json, packageName, url, registry);
        }
        catch (JsonException exception)
        {
            throw new PipelineException(
                $"Registry {registry} returned malformed JSON for package '{packageName}' from {url}: {exception.Message.Split(" Path:")[0]} "
                + "Check that the registry setting points at an npm registry.",
                exception);
        }

        _logger.Debug(
            "Fetched {Package} from {Url}: {Versions} versions in {Milliseconds} ms",
            packageName,
            url,
            document.Versions.Count,
            stopwatch.ElapsedMilliseconds);
        return document;
    }

    /// <summary>
    /// Fetches several package documents in parallel, at most <see cref="NpmRegistryClientOptions.MaxParallelRequests"/> at a time.
    /// </summary>
    /// <returns>The documents in the order of <paramref name="packageNames"/>.</returns>
    /// <exception cref="PipelineException">A fetch failed; see <see cref="GetPackageAsync"/>.</exception>
    public async Task<IReadOnlyList<NpmPackageDocument>> GetPackagesAsync(IEnumerable<string> packageNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packageNames);
        using var slots = new SemaphoreSlim(_options.MaxParallelRequests);
        var tasks = packageNames.Select(async name =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await GetPackageAsync(name, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }).ToList();

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>
    /// Downloads the tarball at <paramref name="url"/> (a <c>resolved</c> URL of a package lock) with the token
    /// that npm would send to it. The caller checks the integrity.
    /// </summary>
    /// <param name="url">The tarball URL.</param>
    /// <param name="packageId">The package as <c>name@version</c>, for errors.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <exception cref="PipelineException">The request failed, timed out or returned an error status; the message names the URL.</exception>
    public async Task<byte[]> GetTarballAsync(Uri url, string packageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        var token = Config.TokenFor(url);
        using var response = await SendAsync(url, token, _options.TarballTimeout, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var statusText = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
            var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? (token is null ? " No token is configured for this URL in .npmrc." : " The token configured for this URL was rejected.")
                : " Check that the registry still serves it, or run Bump to lock the tree again.";
            throw new PipelineException($"Downloading {packageId} from {url} failed with {statusText}.{hint}");
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _httpClient.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Uri url, string? token, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        try
        {
            return await CreatePipeline(url).ExecuteAsync(
                async attemptToken =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    if (token is not null)
                    {
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    }

                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(attemptToken);
                    timeout.CancelAfter(requestTimeout);
                    try
                    {
                        return await _httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException exception) when (!attemptToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"GET {url} timed out after {requestTimeout.TotalSeconds:0.###} s.", exception);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new PipelineException(
                $"{exception.Message} Check the network and the registry setting, or allow more time per request.",
                exception);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException(
                $"GET {url} failed after {_options.MaxRetries + 1} attempts: {exception.Message} Check the network and the registry setting.",
                exception);
        }
    }

    private void CheckStatus(HttpResponseMessage response, string packageName, Uri registry, Uri url)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var statusText = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new PipelineException(
                $"Package '{packageName}' was not found on registry {registry} (GET {url} returned {statusText}). "
                + "Check the package name in the manifest, and for a scoped package the '@scope:registry' setting.");
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var tokenState = Config.HasTokenFor(registry) ? "the token configured for it was rejected" : "no token is configured for it";
            throw new PipelineException(
                $"GET {url} failed with {statusText}: {tokenState}. Set '//{registry.Authority}{registry.AbsolutePath}:_authToken' in .npmrc or NPM_CONFIG_* variables.");
        }

        var attempts = IsTransient(response.StatusCode) ? $" after {_options.MaxRetries + 1} attempts" : "";
        throw new PipelineException($"GET {url} failed with {statusText}{attempts}. Check that the registry is up and try again later.");
    }

    private ResiliencePipeline<HttpResponseMessage> CreatePipeline(Uri url)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (_options.MaxRetries == 0)
        {
            return builder.Build();
        }

        return builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                .Handle<HttpRequestException>()
                .HandleResult(response => IsTransient(response.StatusCode)),
            MaxRetryAttempts = _options.MaxRetries,
            Delay = _options.RetryBaseDelay,
            MaxDelay = _options.MaxRetryDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = false,
            DelayGenerator = arguments => new ValueTask<TimeSpan?>(RetryAfter(arguments.Outcome.Result)),
            OnRetry = arguments =>
            {
                var failure = arguments.Outcome.Result is { } response
                    ? $"HTTP {(int)response.StatusCode}"
                    : arguments.Outcome.Exception?.Message ?? "an error";
                _logger.Warning(
                    "Request {Url} failed with {Failure}; retry {Attempt} of {MaxRetries} in {Seconds:F1} s",
                    url,
                    failure,
                    arguments.AttemptNumber + 1,
                    _options.MaxRetries,
                    arguments.RetryDelay.TotalSeconds);
                arguments.Outcome.Result?.Dispose();
                return default;
            },
        }).Build();
    }

    // Returns the Retry-After of a 429 when it is longer than the exponential delay; null keeps the exponential delay.
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var delay = retryAfter.Delta ?? (retryAfter.Date - DateTimeOffset.UtcNow);
        if (delay is not { } value || value <= _options.RetryBaseDelay)
        {
            return null;
        }

        return value > _options.MaxRetryDelay ? _options.MaxRetryDelay : value;
    }

    private static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static SocketsHttpHandler CreateHandler(NpmConfig config, string? extraCaBundle)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (config.CaFile is null)
        {
            if (extraCaBundle is not null)
            {
                TrustAlso(handler, extraCaBundle);
            }

            return handler;
        }

        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(config.CaFile);
        if (authorities.Count == 0)
        {
            handler.Dispose();
            throw new PipelineException(
                $"npm setting 'cafile' names '{config.CaFile}', which contains no PEM certificate. Point it at a file of '-----BEGIN CERTIFICATE-----' blocks.");
        }

        // As in npm, the certificates of cafile are the only trusted authorities.
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(authorities);
        handler.SslOptions.CertificateChainPolicy = policy;
        return handler;
    }

    // A certificate that the system rejects only for its chain is accepted when it chains to one of the extra authorities.
    private static void TrustAlso(SocketsHttpHandler handler, string pem)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(pem);
        }
        catch (CryptographicException exception)
        {
            handler.Dispose();
            throw new PipelineException(
                $"The CA bundle for registry requests contains a malformed certificate: {exception.Message} Point --ca-bundle at a file of valid '-----BEGIN CERTIFICATE-----' blocks.",
                exception);
        }

        if (authorities.Count == 0)
        {
            handler.Dispose();
            throw new PipelineException("The CA bundle for registry requests contains no PEM certificate. Point --ca-bundle at a file of '-----BEGIN CERTIFICATE-----' blocks.");
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // The system's validation also requires a certificate made for TLS servers.
            custom.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthenticationOid));
            custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
            if (chain is not null)
            {
                custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(element => element.Certificate).ToArray());
            }

            return custom.Build(new X509Certificate2(certificate));
        };
    }
}
