namespace HagiImages.Publish;

/// <summary>
/// What one Publish run published, as written to <c>artifacts/publish/result.json</c> for the Release target,
/// which runs in a separate process.
/// </summary>
public sealed record PublishRecord
{
    /// <summary>Image version, such as <c>1.2.0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>Full git revision of the build.</summary>
    public required string Revision { get; init; }

    /// <summary>One entry per image, in manifest order.</summary>
    public required IReadOnlyList<PublishedImageRecord> Images { get; init; }
}
