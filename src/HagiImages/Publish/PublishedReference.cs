namespace HagiImages.Publish;

/// <summary>One reference in a registry and the manifest digest it serves.</summary>
/// <param name="Reference">Reference with tag, such as <c>ghcr.io/hagicode/ai-cli:1.2.0</c>.</param>
/// <param name="DigestReference">Reference by digest, such as <c>ghcr.io/hagicode/ai-cli@sha256:...</c>.</param>
/// <param name="Digest">Manifest digest, <c>sha256:</c> and 64 hex digits.</param>
/// <param name="AlreadyPresent">Whether an earlier run had pushed it already.</param>
public sealed record PublishedReference(string Reference, string DigestReference, string Digest, bool AlreadyPresent);
