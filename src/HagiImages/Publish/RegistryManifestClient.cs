using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>
/// Reads the manifest digest of a tag straight from a registry's HTTP API
/// (<c>HEAD /v2/&lt;name&gt;/manifests/&lt;tag&gt;</c>, header <c>Docker-Content-Digest</c>). It replies to a Basic or
/// Bearer challenge with the same login the push used. Loopback registries are reached over plain HTTP, all
/// others over HTTPS.
/// </summary>
internal sealed class RegistryManifestClient : IDisposable
{
    private static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ];

    private readonly HttpClient http;

    public RegistryManifestClient()
    {
        http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("HagiImages", "1.0"));
    }

    /// <summary>
    /// Returns the digest the registry reports for <paramref name="target"/>, such as <c>sha256:...</c>.
    /// <paramref name="credentialSources"/> is appended to a rejected-login error to say where logins are read.
    /// </summary>
    /// <exception cref="PipelineException">The registry is unreachable, rejects the login, has no such tag, or
    /// sends no valid digest. The message names the URL and the status.</exception>
    public async Task<string> GetDigestAsync(ImageTarget target, RegistryCredential? credential, string credentialSources, CancellationToken cancellationToken = default)
    {
        var registry = target.Registry ?? throw new ArgumentException($"Target '{target}' has no registry.", nameof(target));
        var url = new Uri(registry.ApiBaseUri, $"/v2/{target.RepositoryPath}/manifests/{target.Tag}");

        var response = await SendHeadAsync(url, null, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                var authorization = await AuthorizeAsync(response, target, credential, credentialSources, cancellationToken).ConfigureAwait(false);
                response.Dispose();
                response = await SendHeadAsync(url, authorization, cancellationToken).ConfigureAwait(false);
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new PipelineException(
                    $"Registry {registry.Address} rejected the login {Describe(credential)} when reading HEAD {url} ({(int)response.StatusCode} {response.ReasonPhrase}). {credentialSources}");
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new PipelineException($"Registry {registry.Address} has no manifest for '{target}' right after the push: HEAD {url} returned 404 Not Found.");
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
        finally
        {
            response.Dispose();
        }
    }

    public void Dispose() => http.Dispose();

    private async Task<HttpResponseMessage> SendHeadAsync(Uri url, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        foreach (var mediaType in ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        request.Headers.Authorization = authorization;
        try
        {
            return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException($"Registry request HEAD {url} failed: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PipelineException($"Registry request HEAD {url} timed out after {http.Timeout.TotalSeconds} s.", exception);
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
        using var request = BuildTokenRequest(realmUri, service, scope, credential);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException($"Token request {request.Method} {realmUri.GetLeftPart(UriPartial.Path)} for registry {registry.Address} failed: {exception.Message}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PipelineException($"Token request {request.Method} {realmUri.GetLeftPart(UriPartial.Path)} for registry {registry.Address} timed out after {http.Timeout.TotalSeconds} s.", exception);
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
