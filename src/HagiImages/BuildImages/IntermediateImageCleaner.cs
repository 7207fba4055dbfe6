using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Docker;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BuildImages;

/// <summary>
/// Removes the images that a classic build reported but that are not layers of its final image. These are the
/// last images of earlier stages, which the classic builder leaves dangling and which may contain build-only
/// secrets, and the images of a build that failed.
/// </summary>
internal sealed class IntermediateImageCleaner
{
    private const int MaxPasses = 5;

    private readonly IDockerClient client;
    private readonly ILogger logger;

    public IntermediateImageCleaner(IDockerClient client, ILogger logger)
    {
        this.client = client;
        this.logger = logger;
    }

    /// <summary>
    /// Removes every reported image that is not in the history of <paramref name="finalImageId"/>, carries no tag
    /// and is no parent of an image outside the reported set, then checks that they are gone.
    /// </summary>
    /// <param name="image">Reference of the build, for logs and errors.</param>
    /// <param name="finalImageId">Id of the built image; null after a failed build.</param>
    /// <param name="reportedIds">Image ids from the build's message stream, in the order reported.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    /// <returns>The full ids of the removed images.</returns>
    /// <exception cref="PipelineException">An image to remove is still present afterwards.</exception>
    public async Task<IReadOnlyList<string>> RemoveAsync(
        string image, string? finalImageId, IReadOnlyList<string> reportedIds, CancellationToken cancellationToken)
    {
        var images = await ListAllAsync(cancellationToken).ConfigureAwait(false);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        if (finalImageId is not null)
        {
            var history = await client.Images.GetImageHistoryAsync(finalImageId, cancellationToken).ConfigureAwait(false);
            kept.UnionWith(history.Select(layer => layer.ID).Where(id => id.StartsWith("sha256:", StringComparison.Ordinal)));
            kept.Add(images.Values.FirstOrDefault(summary => Matches(summary.ID, finalImageId))?.ID ?? finalImageId);
        }

        var candidates = SelectCandidates(reportedIds, images, kept);
        if (candidates.Count == 0)
        {
            return [];
        }

        await DeleteAsync(image, candidates, cancellationToken).ConfigureAwait(false);

        var remaining = await ListAllAsync(cancellationToken).ConfigureAwait(false);
        var left = candidates.Where(remaining.ContainsKey).ToList();
        if (left.Count > 0)
        {
            throw new PipelineException(
                $"The intermediate images {string.Join(", ", left.Select(DockerIds.Short))} of {image} are still present after removal; "
                + "they may hold build-only secrets. Remove them with 'docker rmi' and stop any container that uses them.");
        }

        logger.Information("Removed {Count} intermediate images of {Image}", candidates.Count, image);
        return candidates;
    }

    private static List<string> SelectCandidates(
        IReadOnlyList<string> reportedIds, IReadOnlyDictionary<string, ImagesListResponse> images, HashSet<string> kept)
    {
        var candidates = new List<string>();
        foreach (var reported in reportedIds)
        {
            var summary = images.Values.FirstOrDefault(candidate => Matches(candidate.ID, reported));
            if (summary is null || kept.Contains(summary.ID) || candidates.Contains(summary.ID) || IsTagged(summary))
            {
                continue;
            }

            candidates.Add(summary.ID);
        }

        // Parents of an image that stays (the final image, a tagged image or any image outside the build) stay too.
        var candidateSet = new HashSet<string>(candidates, StringComparer.Ordinal);
        var parentsOfKept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var summary in images.Values.Where(summary => !candidateSet.Contains(summary.ID)))
        {
            for (var parent = summary.ParentID; !string.IsNullOrEmpty(parent) && parentsOfKept.Add(parent);)
            {
                parent = images.TryGetValue(parent, out var parentSummary) ? parentSummary.ParentID : null;
            }
        }

        return candidates.Where(id => !parentsOfKept.Contains(id)).ToList();
    }

    private async Task DeleteAsync(string image, List<string> candidates, CancellationToken cancellationToken)
    {
        // Children are reported after their parents, so deleting in reverse order frees each parent before its turn.
        // A later pass retries images that still had a child in an earlier one.
        var pending = Enumerable.Reverse(candidates).ToList();
        for (var pass = 0; pass < MaxPasses && pending.Count > 0; pass++)
        {
            var conflicts = new List<string>();
            foreach (var id in pending)
            {
                try
                {
                    await client.Images.DeleteImageAsync(id, new ImageDeleteParameters { Force = false, NoPrune = true }, cancellationToken)
                        .ConfigureAwait(false);
                    logger.Debug("Removed intermediate image {ImageId} of {Image}", DockerIds.Short(id), image);
                }
                catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
                {
                    logger.Debug("Intermediate image {ImageId} of {Image} was already removed", DockerIds.Short(id), image);
                }
                catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
                {
                    logger.Debug("Intermediate image {ImageId} of {Image} is still in use: {Reason}", DockerIds.Short(id), image, exception.ResponseBody?.Trim());
                    conflicts.Add(id);
                }
            }

            pending = conflicts;
        }
    }

    private async Task<Dictionary<string, ImagesListResponse>> ListAllAsync(CancellationToken cancellationToken)
    {
        var list = await client.Images.ListImagesAsync(new ImagesListParameters { All = true }, cancellationToken).ConfigureAwait(false);
        return list.ToDictionary(summary => summary.ID, StringComparer.Ordinal);
    }

    private static bool IsTagged(ImagesListResponse summary) =>
        summary.RepoTags?.Any(tag => tag != "<none>:<none>") == true;

    /// <summary>Compares a full <c>sha256:</c> id with a full or short id.</summary>
    private static bool Matches(string fullId, string id)
    {
        var bareFull = fullId.StartsWith("sha256:", StringComparison.Ordinal) ? fullId[7..] : fullId;
        var bare = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
        return bare.Length >= 12 && bareFull.StartsWith(bare, StringComparison.Ordinal);
    }
}
