namespace HagiImages.Publish;

/// <summary>One reference in a registry, with the manifest digest both the engine and the registry report.</summary>
/// <param name="Target">The reference that was pushed.</param>
/// <param name="Digest">Manifest digest, such as <c>sha256:...</c>.</param>
/// <param name="CredentialSource">Where the login came from, or null for an open registry. It never contains the secret.</param>
/// <param name="AlreadyPresent">Whether the registry already served this digest under the tag, so the push was skipped.</param>
public sealed record PushedImage(ImageTarget Target, string Digest, string? CredentialSource, bool AlreadyPresent = false)
{
    /// <summary>Reference with tag, such as <c>ghcr.io/hagicode/ai-cli:1.0.0</c>.</summary>
    public string Reference => Target.Reference;

    /// <summary>Reference by digest, such as <c>ghcr.io/hagicode/ai-cli@sha256:...</c>, which pulls exactly this image.</summary>
    public string DigestReference => $"{Target.Repository}@{Digest}";
}
