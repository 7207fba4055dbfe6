namespace HagiImages.Resolve;

/// <summary>
/// What npm inside a container needs to reach the registry: a CA bundle and an npm user configuration (registry,
/// scoped registries and tokens). Both are secrets of the build host. They are passed only to build stages and
/// throwaway containers, and are never written into the repository or the final image.
/// </summary>
public sealed record BuildSettings
{
    /// <summary>PEM text of the CA bundle, or null when npm's default trust is enough.</summary>
    public string? CaBundle { get; init; }

    /// <summary>Text of an <c>.npmrc</c> for npm inside the build, or null for npm's defaults.</summary>
    public string? Npmrc { get; init; }

    /// <summary>Where the CA bundle came from, for log lines (a path or a variable name, never the content).</summary>
    public string CaBundleSource { get; init; } = "none";

    public override string ToString() => $"BuildSettings {{ CaBundle = {CaBundleSource}, Npmrc = {(Npmrc is null ? "none" : "set")} }}";
}
