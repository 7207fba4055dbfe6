namespace HagiImages.Publish;

/// <summary>
/// A login for one registry: a user name with a password, or an identity token (an OAuth refresh token that
/// <c>docker login</c> stores for some registries). <see cref="ToString"/> shows only the user and the source.
/// </summary>
public sealed class RegistryCredential
{
    public RegistryCredential(string username, string? password, string? identityToken, string source)
    {
        Username = username;
        Password = password;
        IdentityToken = identityToken;
        Source = source;
    }

    public string Username { get; }

    public string? Password { get; }

    public string? IdentityToken { get; }

    /// <summary>Where the credential was read, such as <c>environment variables HAGI_REGISTRY_USERNAME and HAGI_REGISTRY_PASSWORD</c>.</summary>
    public string Source { get; }

    public override string ToString() => $"user '{Username}' from {Source}";
}
