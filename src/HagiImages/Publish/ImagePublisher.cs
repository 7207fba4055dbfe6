using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Publish;

/// <summary>
/// Pushes a local image to every reference of a <see cref="TagPlan"/> through the Docker Engine API, and checks
/// after each push that the registry serves the same manifest digest that the engine pushed.
/// </summary>
public sealed class ImagePublisher : IDisposable
{
    private readonly IDockerClient client;
    private readonly RegistryCredentialResolver credentials;
    private readonly ILogger logger;
    private readonly RegistryManifestClient manifests = new();

    public ImagePublisher(IDockerClient client, RegistryCredentialResolver credentials, ILogger logger)
    {
        this.client = client;
        this.credentials = credentials;
        this.logger = logger;
    }

    /// <summary>
    /// Tags the image <paramref name="imageId"/> with each target of <paramref name="plan"/> and pushes it, in plan order.
    /// Logins for all registries are looked up before the first push.
    /// </summary>
    /// <returns>The pushed references with their digests, in plan order.</returns>
    /// <exception cref="PipelineException">A login source is broken, a push fails, or a digest differs. The message
    /// names the failed reference, the registry's message, and which references were and were not pushed.</exception>
    public async Task<IReadOnlyList<PushedImage>> PushAsync(string imageId, TagPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.IsPush)
        {
            throw new ArgumentException("The plan names no registry, so the image must be exported instead.", nameof(plan));
        }

        var logins = new Dictionary<RegistryTarget, RegistryCredential?>();
        foreach (var registry in plan.Registries)
        {
            var login = await credentials.ResolveAsync(registry, cancellationToken).ConfigureAwait(false);
            logins[registry] = login;
            if (login is null)
            {
                logger.Information("Registry {Registry}: no login found, pushing without one", registry.Address);
            }
            else
            {
                logger.Information("Registry {Registry}: using {Login}", registry.Address, login.ToString());
            }
        }

        var pushed = new List<PushedImage>();
        foreach (var target in plan.Targets)
        {
            try
            {
                pushed.Add(await PushOneAsync(imageId, target, logins[target.Registry!], cancellationToken).ConfigureAwait(false));
            }
            catch (PipelineException exception)
            {
                var notPushed = plan.Targets.Skip(pushed.Count).Select(remaining => remaining.Reference);
                var done = pushed.Count == 0 ? "nothing" : string.Join(", ", pushed.Select(image => $"{image.Reference} ({image.Digest})"));
                throw new PipelineException(
                    $"Publishing stopped at {target.Reference}: {exception.Message} Pushed: {done}. Not pushed: {string.Join(", ", notPushed)}.",
                    exception);
            }
        }

        return pushed;
    }

    public void Dispose() => manifests.Dispose();

    private async Task<PushedImage> PushOneAsync(string imageId, ImageTarget target, RegistryCredential? login, CancellationToken cancellationToken)
    {
        var registry = target.Registry!;
        await LocalTags.ApplyAsync(client, imageId, target, cancellationToken).ConfigureAwait(false);

        var progress = new PushProgress();
        try
        {
            await client.Images.PushImageAsync(target.Repository, new ImagePushParameters { Tag = target.Tag }, ToAuthConfig(registry, login), progress, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DockerApiException exception)
        {
            throw new PipelineException($"The Docker engine rejected the push of {target.Reference} with status {(int)exception.StatusCode}: {exception.ResponseBody?.Trim()}", exception);
        }

        if (progress.ErrorMessage is { } error)
        {
            if (progress.IsAuthenticationError)
            {
                var sent = login is null ? "no login was found, so none was sent" : $"the login was {login}";
                throw new PipelineException(
                    $"Registry {registry.Address} rejected the login for {target.Reference} ({sent}): {error}. {credentials.DescribeSources(registry)}");
            }

            throw new PipelineException($"Registry {registry.Address} failed the push of {target.Reference}: {error.TrimEnd('.')}.");
        }

        var localDigest = await ReadLocalDigestAsync(imageId, target, progress.Digest, cancellationToken).ConfigureAwait(false);
        var remoteDigest = await manifests.GetDigestAsync(target, login, credentials.DescribeSources(registry), cancellationToken).ConfigureAwait(false);
        if (remoteDigest != localDigest)
        {
            throw new PipelineException(
                $"Registry {registry.Address} serves {target.Reference} as {remoteDigest}, but the engine pushed {localDigest}. Another push may have replaced the tag; push again and check who else writes to {target.Repository}.");
        }

        logger.Information("Pushed {Reference} {Digest} ({Layers} layers)", target.Reference, remoteDigest, progress.LayerCount);
        return new PushedImage(target, remoteDigest, login?.Source);
    }

    /// <summary>
    /// Returns the digest the engine recorded for the push: the aux digest, which must also be among the image's
    /// <c>RepoDigests</c> for the target repository, or the only such entry when the stream had no aux digest.
    /// </summary>
    private async Task<string> ReadLocalDigestAsync(string imageId, ImageTarget target, string? streamDigest, CancellationToken cancellationToken)
    {
        var image = await client.Images.InspectImageAsync(imageId, cancellationToken).ConfigureAwait(false);
        var names = RepoDigestNames(target);
        var repoDigests = (image.RepoDigests ?? [])
            .Select(entry => entry.Split('@', 2))
            .Where(parts => parts.Length == 2 && names.Contains(parts[0]))
            .Select(parts => parts[1])
            .ToList();

        if (streamDigest is not null)
        {
            if (!repoDigests.Contains(streamDigest))
            {
                throw new PipelineException(
                    $"The engine reported digest {streamDigest} for {target.Reference}, but the image's RepoDigests for {target.Repository} are [{string.Join(", ", repoDigests)}].");
            }

            return streamDigest;
        }

        return repoDigests.Count == 1
            ? repoDigests[0]
            : throw new PipelineException(
                $"The engine sent no digest for {target.Reference}, and the image has {repoDigests.Count} RepoDigests for {target.Repository}, so the pushed digest is unknown.");
    }

    /// <summary>Returns the names the engine may use in RepoDigests. It writes Docker Hub repositories without <c>docker.io/</c>.</summary>
    private static HashSet<string> RepoDigestNames(ImageTarget target)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { target.Repository };
        if (target.Registry is { IsDockerHub: true })
        {
            names.Add(target.RepositoryPath);
            names.Add($"docker.io/{target.RepositoryPath}");
        }

        return names;
    }

    private static AuthConfig ToAuthConfig(RegistryTarget registry, RegistryCredential? login)
    {
        if (login is null)
        {
            return new AuthConfig();
        }

        return login.IdentityToken is not null
            ? new AuthConfig { IdentityToken = login.IdentityToken, ServerAddress = registry.CredentialServerAddress }
            : new AuthConfig { Username = login.Username, Password = login.Password, ServerAddress = registry.CredentialServerAddress };
    }
}
