using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>
/// Reads manifest digests (<c>HEAD /v2/&lt;name&gt;/manifests/&lt;tag&gt;</c>, header <c>Docker-Content-Digest</c>) and
/// tag lists (<c>GET /v2/&lt;name&gt;/tags/list</c>) straight from a registry's HTTP API. It replies to a Basic or
/// Bearer challenge with the same login the push used, and retries 429, 5xx and timeouts through
/// <see cref="RegistryRetry"/>. Loopback registries are reached over plain HTTP, all others over HTTPS.
/// </summary>
internal sealed class RegistryManifestClient : IDisposable
{
    // The tag list is paged by the Link header; 100 pages of the registry's default page size are far more tags
    // than this project's repositories carry, and the bound keeps a looping Link header from running forever.
    private const int MaxTagPages = 100;

    private static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    private readonly HttpClient http;
    private readonly RegistryRetry retry;

    public RegistryManifestClient(RegistryRetry? retry = null, TimeSpan? timeout = null)
    {
        http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("HagiImages", "1.0"));
        this.retry = retry ?? new RegistryRetry();
    }

    /// <summary>
    /// Returns the digest the registry reports for <paramref name="target"/>, such as <c>sha256:...</c>.
    /// <paramref name="credentialSources"/> is appended to a rejected-login error to say where logins are read.
    /// </summary>
    /// <exception cref="PipelineException">The registry is unreachable, rejects the login, has no such tag, or
    /// sends no valid digest. The message names the URL and the status.</exception>
    public async Task<string> GetDigestAsync(ImageTarget target, RegistryCredential? credential, string credentialSources, CancellationToken cancellationToken = default)
    {
        var digest = await TryGetDigestAsync(target, credential, credentialSources, cancellationToken).ConfigureAwait(false);
        return digest ?? throw new PipelineException(
            $"Registry {target.Registry!.Address} has no manifest for '{target}' right after the push: HEAD {ManifestUrl(target)} returned 404 Not Found.");
    }

    /// <summary>
    /// Returns the digest the registry reports for <paramref name="target"/>, or null when the registry has no such
    /// tag or repository (404).
    /// </summary>
    /// <exception cref="PipelineException">The registry is unreachable, rejects the login, or sends no valid digest.</exception>
    public async Task<string?> TryGetDigestAsync(ImageTarget target, RegistryCredential? credential, string credentialSources, CancellationToken cancellationToken = default)
    {
        var registry = target.Registry ?? throw new ArgumentException($"Target '{target}' has no registry.", nameof(target));
        var url = ManifestUrl(target);

        using var response = await SendWithLoginAsync(HttpMethod.Head, url, target, credential, credentialSources, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new PipelineException($"Registry {registry.Address} failed HEAD {url} with {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        if (digest is null || !ReferenceGrammar.Sha256Digest().IsMatch(digest))
        {
            throw new PipelineException(
                $"Registry {registry.Address} sent no valid Docker-Content-Digest header for HEAD {url} (got '{digest ?? "nothing"}'); a sha256 digest is expected.");
        }

        return digest;
    }

    /// <summary>
    /// Returns every tag of the repository of <paramref name="target"/>, following the <c>Link</c> header across
    /// pages, or an empty list when the repository does not exist yet (404).
    /// </summary>
    /// <exception cref="PipelineException">The registry is unreachable, rejects the login, or sends a body that is not
    /// a tag list. The message names the URL and the status.</exception>
    public async Task<IReadOnlyList<string>> ListTagsAsync(ImageTarget target, RegistryCredential? credential, string credentialSources, CancellationToken cancellationToken = default)
    {
        var registry = target.Registry ?? throw new ArgumentException($"Target '{target}' has no registry.", nameof(target));
        var tags = new List<string>();
        Uri? url = new(registry.ApiBaseUri, $"/v2/{target.RepositoryPath}/tags/list");
        for (var page = 0; url is not null; page++)
        {
            if (page == MaxTagPages)
            {
                throw new PipelineException($"Registry {registry.Address} sent more than {MaxTagPages} pages of tags for {target.Repository}; the last page requested was {url}.");
            }

            using var response = await SendWithLoginAsync(HttpMethod.Get, url, target, credential, credentialSources, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return tags;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new PipelineException($"Registry {registry.Address} failed GET {url} with {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            tags.AddRange(ReadTags(body, url));
            url = NextPage(response, url);
        }

        return tags;
    }

    public void Dispose() => http.Dispose();

    private static Uri ManifestUrl(ImageTarget target) => new(target.Registry!.ApiBaseUri, $"/v2/{target.RepositoryPath}/manifests/{target.Tag}");

    private static IEnumerable<string> ReadTags(string body, Uri url)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PipelineException($"GET {url} sent a JSON {document.RootElement.ValueKind}, not a tag list object.");
            }

            // distribution sends "tags": null for a repository whose tags were all deleted.
            if (!document.RootElement.TryGetProperty("tags", out var tags) || tags.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (tags.ValueKind != JsonValueKind.Array || tags.EnumerateArray().Any(tag => tag.ValueKind != JsonValueKind.String))
            {
                throw new PipelineException($"GET {url} sent a 'tags' field that is not an array of strings.");
            }

            return tags.EnumerateArray().Select(tag => tag.GetString()!).ToList();
        }
        catch (JsonException exception)
        {
            throw new PipelineException($"GET {url} sent a body that is not JSON: {exception.Message}", exception);
        }
    }

    /// <summary>Returns the URL of <c>Link: &lt;...&gt;; rel="next"</c>, resolved against the request URL, or null.</summary>
    private static Uri? NextPage(HttpResponseMessage response, Uri url)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links.SelectMany(value => value.Split(',')))
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && link[close..].Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase))
            {
                var next = new Uri(url, link[(open + 1)..close]);
                return next.Host == url.Host && next.Port == url.Port
                    ? next
                    : throw new PipelineException($"GET {url} sent a next page on another host ({next.GetLeftPart(UriPartial.Authority)}); no login is sent there.");
            }
        }

        return null;
    }

    /// <summary>
    /// Sends the request; on a 401 with a challenge, sends it again with <paramref name="credential"/>.
    /// The caller disposes the response, whose status is anything but 401 and 403.
    /// </summary>
    private async Task<HttpResponseMessage> SendWithLoginAsync(
        HttpMethod method, Uri url, ImageTarget target, RegistryCredential? credential, string credentialSources, CancellationToken cancellationToken)
    {
        var response = await SendAsync(method, url, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            try
            {
                var authorization = await AuthorizeAsync(response, target, credential, credentialSources, cancellationToken).ConfigureAwait(false);
                response.Dispose();
                response = await SendAsync(method, url, authorization, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            response.Dispose();
            throw new PipelineException(
                $"Registry {target.Registry!.Address} rejected the login {Describe(credential)} when reading {method} {url} ({status}). {credentialSources}");
        }

        return response;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.SendAsync(
                $"{method} {url}",
                async token =>
                {
                    using var request = new HttpRequestMessage(method, url);
                    foreach (var mediaType in ManifestMediaTypes)
                    {
                        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
                    }

                    request.Headers.Authorization = authorization;
                    return await http.SendAsync(request, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException($"Registry request {method} {url} failed: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PipelineException($"Registry request {method} {url} timed out after {http.Timeout.TotalSeconds} s, {retry.MaxRetryAttempts + 1} times.", exception);
        }
    }

    private async Task<AuthenticationHeaderValue> AuthorizeAsync(
        HttpResponseMessage challengeResponse, ImageTarget target, RegistryCredential? credential, string credentialSources, CancellationToken cancellationToken)
    {
        var address = target.Registry!.Address;
        var challenge = AuthenticationChallenge.FromResponse(challengeResponse) ?? throw new PipelineException(
            $"Registry {address} answered 401 for {challengeResponse.RequestMessage?.RequestUri} without a Basic or Bearer challenge, so no login can be sent.");

        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (credential?.Password is null)
            {
                throw new PipelineException(
                    $"Registry {address} requires a user name and password to read the digest of '{target}', but {(credential is null ? "no login was found" : $"the login {credential} has only an identity token")}. {credentialSources}");
            }

            return new AuthenticationHeaderValue("Basic", EncodeBasic(credential));
        }

        var token = await RequestBearerTokenAsync(challenge, target, credential, credentialSources, cancellationToken).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    private async Task<string> RequestBearerTokenAsync(
        AuthenticationChallenge challenge, ImageTarget target, RegistryCredential? credential, string credentialSources, CancellationToken cancellationToken)
    {
        var registry = target.Registry!;
        var realm = challenge["realm"];
        if (realm is null || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || (realmUri.Scheme != Uri.UriSchemeHttps && realmUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new PipelineException($"Registry {registry.Address} sent a Bearer challenge without a valid http(s) realm ('{realm}').");
        }

        if (realmUri.Scheme == Uri.UriSchemeHttp && !(realmUri.IsLoopback && registry.IsLoopback))
        {
            throw new PipelineException(
                $"Registry {registry.Address} sent the token service '{realm}', which uses plain HTTP; a login is only sent to a token service over HTTPS.");
        }

        var scope = challenge["scope"] ?? $"repository:{target.RepositoryPath}:pull";
        var service = challenge["service"];
        var method = credential?.IdentityToken is null ? HttpMethod.Get : HttpMethod.Post;
        HttpResponseMessage response;
        try
        {
            response = await retry.SendAsync(
                $"{method} {realmUri.GetLeftPart(UriPartial.Path)}",
                async token =>
                {
                    using var request = BuildTokenRequest(realmUri, service, scope, credential);
                    return await http.SendAsync(request, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException($"Token request {method} {realmUri.GetLeftPart(UriPartial.Path)} for registry {registry.Address} failed: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PipelineException(
                $"Token request {method} {realmUri.GetLeftPart(UriPartial.Path)} for registry {registry.Address} timed out after {http.Timeout.TotalSeconds} s, {retry.MaxRetryAttempts + 1} times.", exception);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new PipelineException(
                    $"Registry {registry.Address} rejected the login {Describe(credential)} at its token service {realmUri.GetLeftPart(UriPartial.Path)} ({(int)response.StatusCode} {response.ReasonPhrase}). {credentialSources}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new PipelineException(
                    $"Token service {realmUri.GetLeftPart(UriPartial.Path)} of registry {registry.Address} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var token = ReadToken(body);
            return token ?? throw new PipelineException(
                $"Token service {realmUri.GetLeftPart(UriPartial.Path)} of registry {registry.Address} answered without a 'token' or 'access_token' field.");
        }
    }

    private static HttpRequestMessage BuildTokenRequest(Uri realm, string? service, string scope, RegistryCredential? credential)
    {
        // NOTE: no test covers this Bearer path, because the test registry uses Basic authentication only.
        // It follows the token protocol of distribution 2.8: GET with a Basic login, or POST with an OAuth refresh token.
        if (credential?.IdentityToken is { } identityToken)
        {
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = identityToken,
                ["client_id"] = "hagiimages",
                ["scope"] = scope,
            };
            if (service is not null)
            {
                form["service"] = service;
            }

            return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        }

        var query = new StringBuilder(realm.Query.Length == 0 ? "?" : realm.Query + "&");
        if (service is not null)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        }

        query.Append("scope=").Append(Uri.EscapeDataString(scope));
        var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realm) { Query = query.ToString() }.Uri);
        if (credential?.Password is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", EncodeBasic(credential));
        }

        return request;
    }

    private static string? ReadToken(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var name in new[] { "token", "access_token" })
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty(name, out var value)
                    && value.ValueKind == JsonValueKind.String
                    && value.GetString() is { Length: > 0 } token)
                {
                    return token;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            // The body is not JSON, so it has no token field, and the caller reports the missing token.
            return null;
        }
    }

    private static string EncodeBasic(RegistryCredential credential) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}"));

    private static string Describe(RegistryCredential? credential) => credential is null ? "(none was sent)" : $"({credential})";
}
