using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>Tags a local image through the Engine API and checks that the tag points at it afterwards.</summary>
internal static class LocalTags
{
    /// <summary>
    /// Tags <paramref name="imageId"/> as <paramref name="target"/>, replacing an older image of that tag.
    /// </summary>
    /// <exception cref="PipelineException">The engine rejects the tag, or the tag points at another image afterwards.</exception>
    public static async Task ApplyAsync(IDockerClient client, string imageId, ImageTarget target, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = target.Repository, Tag = target.Tag }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            throw new PipelineException($"The Docker engine could not tag image {imageId} as {target.Reference}: {exception.ResponseBody?.Trim()}", exception);
        }

        var tagged = await client.Images.InspectImageAsync(target.Reference, cancellationToken).ConfigureAwait(false);
        if (tagged.ID != imageId)
        {
            throw new PipelineException($"Tag {target.Reference} points at image {tagged.ID} after tagging, not at {imageId}.");
        }
    }
}
