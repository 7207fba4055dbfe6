namespace HagiImages.Publish;

/// <summary>
/// What the publish stage produced: the pushed references with digests, or the exported archive when no
/// registry was given. A release step attaches the archive or lists the digests.
/// </summary>
/// <param name="Plan">The references the image was published under.</param>
/// <param name="ImageId">Id of the local image, <c>sha256:</c> and 64 hex digits.</param>
/// <param name="Pushed">Pushed references in push order, or empty for an export.</param>
/// <param name="Archive">The exported archive, or null after a push.</param>
public sealed record PublishResult(TagPlan Plan, string ImageId, IReadOnlyList<PushedImage> Pushed, ExportedArchive? Archive)
{
    /// <summary>Text for the release manager: each pushed reference with its digest, or how to check and load the archive.</summary>
    public string Summary => Archive is not null
        ? $"Saved {string.Join(", ", Archive.Tags)} to {Archive.ArchivePath}.\n{Archive.LoadInstructions}"
        : string.Join("\n", Pushed.Select(image => $"Pushed {image.Reference} ({image.Digest})"));
}
