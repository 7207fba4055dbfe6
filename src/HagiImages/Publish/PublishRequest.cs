namespace HagiImages.Publish;

/// <summary>What to publish and where.</summary>
public sealed record PublishRequest
{
    /// <summary>Local image to publish: an id or a reference such as <c>hagicode/ai-cli:1.0.0</c>.</summary>
    public required string SourceImage { get; init; }

    /// <summary>Manifest repository, such as <c>hagicode/ai-cli</c>. Its last part is the image name.</summary>
    public required string Repository { get; init; }

    /// <summary>Image version, such as <c>1.0.0</c> or <c>1.0.0-rc.1</c>.</summary>
    public required string Version { get; init; }

    /// <summary>Git revision, 7 to 40 lower-case hex digits.</summary>
    public required string Revision { get; init; }

    /// <summary>Values of <c>--registry HOST[:PORT]/NAMESPACE</c>. An empty list exports the image to an archive.</summary>
    public IReadOnlyList<string> Registries { get; init; } = [];

    /// <summary>Extra immutable tag for an image with one CLI (<see cref="TagPlan.CliTag"/>), or null.</summary>
    public string? CliTag { get; init; }

    /// <summary>Whether to only read the registries and return the plan, pushing or exporting nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Folder the archive is written to when no registry is given.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("artifacts", "publish");
}
