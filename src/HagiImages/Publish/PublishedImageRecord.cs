namespace HagiImages.Publish;

/// <summary>One published image in <see cref="PublishRecord"/>.</summary>
public sealed record PublishedImageRecord
{
    /// <summary>Image name, the folder under <c>images/</c>, such as <c>ai-cli</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Manifest repository, such as <c>hagicode/ai-cli</c>.</summary>
    public required string Repository { get; init; }

    /// <summary>Local image id, <c>sha256:</c> and 64 hex digits.</summary>
    public required string ImageId { get; init; }

    /// <summary>The CLIs in the image with their pinned versions, from the lock file.</summary>
    public required IReadOnlyList<CliVersionRecord> Clis { get; init; }

    /// <summary>References that serve the image in registries, with their digests; empty for an export.</summary>
    public required IReadOnlyList<PublishedReference> References { get; init; }

    /// <summary>Path of the exported archive, or null after a push.</summary>
    public string? Archive { get; init; }
}
