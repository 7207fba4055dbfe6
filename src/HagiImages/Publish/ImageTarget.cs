namespace HagiImages.Publish;

/// <summary>
/// One reference the image gets: a repository and a tag, in a registry or, for an export, only local.
/// </summary>
/// <param name="Registry">Registry to push to, or null for a local tag written into an exported archive.</param>
/// <param name="Repository">Repository with registry address, such as <c>ghcr.io/hagicode/ai-cli</c>.</param>
/// <param name="Tag">Tag, such as <c>1.0.0</c> or <c>sha-1a2b3c4</c>.</param>
/// <param name="Kind">Whether the tag is immutable or floating, which decides the push order.</param>
public sealed record ImageTarget(RegistryTarget? Registry, string Repository, string Tag, TagKind Kind = TagKind.Immutable)
{
    /// <summary>Reference in the form <c>repository:tag</c>.</summary>
    public string Reference => $"{Repository}:{Tag}";

    /// <summary>Repository path inside the registry, such as <c>hagicode/ai-cli</c>, as the registry's HTTP API names it.</summary>
    public string RepositoryPath => Registry is null ? Repository : Repository[(Registry.Address.Length + 1)..];

    public override string ToString() => Reference;
}
