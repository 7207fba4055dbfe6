using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Docker;

/// <summary>Creates, checks and removes named volumes.</summary>
public sealed class VolumeManager
{
    private readonly IDockerClient client;
    private readonly ILogger logger;

    public VolumeManager(IDockerClient client, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        this.client = client;
        this.logger = logger;
    }

    /// <summary>
    /// Creates the named volume with the given labels plus <see cref="DockerLabels.Managed"/>. The engine returns an
    /// existing volume of that name unchanged.
    /// </summary>
    public async Task CreateAsync(string name, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var volume = await client.Volumes.CreateAsync(
            new VolumesCreateParameters { Name = name, Labels = DockerLabels.WithManaged(labels) },
            cancellationToken).ConfigureAwait(false);
        if (volume.Name != name)
        {
            throw new PipelineException($"The engine created volume '{volume.Name}' where '{name}' was requested.");
        }

        logger.Information("Volume {Volume} created", name);
    }

    /// <summary>Returns whether a volume of that name exists.</summary>
    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        try
        {
            await client.Volumes.InspectAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Removes the named volume; a volume that does not exist is not an error.</summary>
    /// <exception cref="PipelineException">A container still uses the volume.</exception>
    public async Task RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        try
        {
            await client.Volumes.RemoveAsync(name, force: false, cancellationToken).ConfigureAwait(false);
            logger.Information("Volume {Volume} removed", name);
        }
        catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            logger.Debug("Volume {Volume} was already removed", name);
        }
        catch (DockerApiException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
        {
            throw new PipelineException(
                $"The volume '{name}' is still in use by a container: {exception.ResponseBody?.Trim()} Remove that container first.",
                exception);
        }
    }
}
