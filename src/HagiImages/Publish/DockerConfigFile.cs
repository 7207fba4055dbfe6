using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>
/// The parts of the Docker CLI's <c>config.json</c> that hold registry logins: <c>auths</c>, <c>credsStore</c>
/// and <c>credHelpers</c>.
/// </summary>
internal sealed class DockerConfigFile
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    private DockerConfigFile(string path, Dictionary<string, AuthEntry> auths, string? credentialsStore, Dictionary<string, string> credentialHelpers)
    {
        Path = path;
        Auths = auths;
        CredentialsStore = credentialsStore;
        CredentialHelpers = credentialHelpers;
    }

    public string Path { get; }

    /// <summary>Logins stored in the file, by server address as <c>docker login</c> wrote it.</summary>
    public IReadOnlyDictionary<string, AuthEntry> Auths { get; }

    /// <summary>Credential helper for every registry (<c>credsStore</c>), without the <c>docker-credential-</c> prefix.</summary>
    public string? CredentialsStore { get; }

    /// <summary>Credential helpers by registry address (<c>credHelpers</c>).</summary>
    public IReadOnlyDictionary<string, string> CredentialHelpers { get; }

    /// <summary>
    /// Reads a config file, or returns null when it does not exist.
    /// </summary>
    /// <exception cref="PipelineException">The file exists but is not valid JSON of the expected shape.</exception>
    public static async Task<DockerConfigFile?> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        RawConfig? raw;
        try
        {
            await using var stream = File.OpenRead(path);
            raw = await JsonSerializer.DeserializeAsync<RawConfig>(stream, Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException exception)
        {
            // A JsonException message names the JSON path and position and at most one character of the input.
            throw new PipelineException(
                $"Docker configuration '{path}' is not valid JSON: {exception.Message} Fix the file or run 'docker login' to write it anew.",
                exception);
        }

        var auths = new Dictionary<string, AuthEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var (server, entry) in raw?.Auths ?? [])
        {
            auths[server] = entry;
        }

        var helpers = new Dictionary<string, string>(raw?.CredHelpers ?? [], StringComparer.OrdinalIgnoreCase);
        return new DockerConfigFile(path, auths, string.IsNullOrWhiteSpace(raw?.CredsStore) ? null : raw.CredsStore, helpers);
    }

    /// <summary>
    /// Finds the stored login of a server, matching keys with or without scheme and path, as <c>docker login</c>
    /// writes them (<c>ghcr.io</c>, <c>https://ghcr.io</c>, <c>https://index.docker.io/v1/</c>).
    /// </summary>
    public AuthEntry? FindAuth(string serverAddress)
    {
        if (Auths.TryGetValue(serverAddress, out var exact))
        {
            return exact;
        }

        var expectedHost = StripSchemeAndPath(serverAddress);
        return Auths.FirstOrDefault(entry => string.Equals(StripSchemeAndPath(entry.Key), expectedHost, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>
    /// Decodes the user name and password of an <c>auths</c> entry.
    /// </summary>
    /// <exception cref="PipelineException">The <c>auth</c> field is not base64 of <c>user:password</c>.</exception>
    public (string Username, string Password) DecodeAuth(string serverAddress, AuthEntry entry)
    {
        if (string.IsNullOrEmpty(entry.Auth))
        {
            return (entry.Username ?? "", entry.Password ?? "");
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Auth));
        }
        catch (FormatException exception)
        {
            throw new PipelineException(
                $"Docker configuration '{Path}' has an 'auth' value for '{serverAddress}' that is not base64. Run 'docker login {serverAddress}' to store the login anew.",
                exception);
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw new PipelineException(
                $"Docker configuration '{Path}' has an 'auth' value for '{serverAddress}' without the 'user:password' form. Run 'docker login {serverAddress}' to store the login anew.");
        }

        return (decoded[..colon], decoded[(colon + 1)..]);
    }

    private static string StripSchemeAndPath(string address)
    {
        var withoutScheme = address.Contains("://", StringComparison.Ordinal) ? address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..] : address;
        var slash = withoutScheme.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? withoutScheme : withoutScheme[..slash];
    }

    /// <summary>One <c>auths</c> entry.</summary>
    internal sealed class AuthEntry
    {
        /// <summary>Base64 of <c>user:password</c>.</summary>
        public string? Auth { get; init; }

        public string? Username { get; init; }

        public string? Password { get; init; }

        [JsonPropertyName("identitytoken")]
        public string? IdentityToken { get; init; }
    }

    private sealed record RawConfig
    {
        public Dictionary<string, AuthEntry>? Auths { get; init; }

        public string? CredsStore { get; init; }

        public Dictionary<string, string>? CredHelpers { get; init; }
    }
}
