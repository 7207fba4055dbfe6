namespace HagiImages.Publish;

/// <summary>
/// What the publish stage produced: the pushed references with digests, or the exported archive when no
/// registry was given. A release step attaches the archive or lists the digests.
/// </summary>
/// <param name="Plan">The references the image was published under.</param>
/// <param name="ImageId">Id of the local image, <c>sha256:</c> and 64 hex digits.</param>
/// <param name="Pushed">Pushed references in push order, or empty for an export.</param>
/// <param name="Archive">The exported archive, or null after a push.</param>
/// <param name="DryRunSteps">For a dry run, what a real run would do with each reference; null otherwise.</param>
public sealed record PublishResult(TagPlan Plan, string ImageId, IReadOnlyList<PushedImage> Pushed, ExportedArchive? Archive, IReadOnlyList<PushStep>? DryRunSteps = null)
{
    /// <summary>
    /// Text for the release manager: the plan of a dry run, each pushed reference with its digest, or how to check
    /// and load the archive.
    /// </summary>
    public string Summary
    {
        get
        {
            if (DryRunSteps is not null)
            {
                var lines = Plan.IsPush
                    ? DryRunSteps.Select(step => step.ToString())
                    : [$"export {string.Join(", ", Plan.Targets.Select(target => target.Reference))} to an archive"];
                return $"Dry run, nothing was changed. Plan for {Plan.ImageName} {Plan.Version}:\n  {string.Join("\n  ", lines)}";
            }

            return Archive is not null
                ? $"Saved {string.Join(", ", Archive.Tags)} to {Archive.ArchivePath}.\n{Archive.LoadInstructions}"
                : string.Join("\n", Pushed.Select(image => image.AlreadyPresent ? $"Already present {image.Reference} ({image.Digest})" : $"Pushed {image.Reference} ({image.Digest})"));
        }
    }
}
