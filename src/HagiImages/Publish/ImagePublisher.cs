using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Publish;

/// <summary>
/// Pushes a local image to every reference of a <see cref="TagPlan"/> through the Docker Engine API, and checks
/// after each push that the registry serves the same manifest digest that the engine pushed. References the
/// registry already serves with this image are skipped, and a floating tag is left alone when the registry has a
/// higher release in its range.
/// </summary>
public sealed class ImagePublisher : IDisposable
{
    private readonly IDockerClient client;
    private readonly RegistryCredentialResolver credentials;
    private readonly ILogger logger;
    private readonly RegistryManifestClient manifests;
    private readonly Dictionary<RegistryTarget, RegistryCredential?> logins = [];

    public ImagePublisher(IDockerClient client, RegistryCredentialResolver credentials, ILogger logger)
        : this(client, credentials, logger, null)
    {
    }

    internal ImagePublisher(IDockerClient client, RegistryCredentialResolver credentials, ILogger logger, RegistryRetry? retry)
    {
        this.client = client;
        this.credentials = credentials;
        this.logger = logger;
        manifests = new RegistryManifestClient(retry ?? new RegistryRetry(logger: logger));
    }

    /// <summary>
    /// Decides, for each target of <paramref name="plan"/> in push order, whether to push it, skip it because the
    /// registry already serves this image under it, keep a floating tag on a higher release, or keep an immutable
    /// tag on the other build it names. It only reads from the registries and the engine.
    /// </summary>
    /// The local image <paramref name="imageId"/> may be null when it does not exist yet; then every tag is pushed.
    /// <exception cref="PipelineException">A login source is broken, a registry cannot be read, or the version tag
    /// already serves another image.</exception>
    public async Task<IReadOnlyList<PushStep>> PlanAsync(string? imageId, TagPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.IsPush)
        {
            throw new ArgumentException("The plan names no registry, so the image must be exported instead.", nameof(plan));
        }

        await ResolveLoginsAsync(plan, cancellationToken).ConfigureAwait(false);
        var localDigests = imageId is null ? [] : await ReadRepoDigestsAsync(imageId, cancellationToken).ConfigureAwait(false);
        var tagLists = new Dictionary<RegistryTarget, IReadOnlyList<string>>();
        var steps = new List<PushStep>();
        foreach (var target in plan.Targets)
        {
            var registry = target.Registry!;
            var login = logins[registry];
            var sources = credentials.DescribeSources(registry);
            if (target.Kind != TagKind.Immutable)
            {
                if (!tagLists.TryGetValue(registry, out var tags))
                {
                    tags = await manifests.ListTagsAsync(target, login, sources, cancellationToken).ConfigureAwait(false);
                    tagLists[registry] = tags;
                    logger.Debug("Registry {Registry} has {TagCount} tags in {Repository}", registry.Address, tags.Count, target.Repository);
                }

                if (!TagPlan.MayMoveFloatingTag(target.Kind, plan.SemanticVersion, tags, out var higher))
                {
                    steps.Add(new PushStep(target, PushAction.KeepHigher, null, $"registry has {higher}, which is higher than {plan.Version}"));
                    continue;
                }
            }

            var remoteDigest = await manifests.TryGetDigestAsync(target, login, sources, cancellationToken).ConfigureAwait(false);
            if (remoteDigest is not null && RepoDigestNames(target).Any(name => localDigests.Contains($"{name}@{remoteDigest}")))
            {
                steps.Add(new PushStep(target, PushAction.AlreadyPresent, remoteDigest, $"registry already serves this image as {remoteDigest}"));
                continue;
            }

            if (remoteDigest is not null && target.Kind == TagKind.Immutable)
            {
                if (target.Tag == plan.Version)
                {
                    throw new PipelineException(
                        $"{target.Reference} already serves another image ({remoteDigest}), and a version tag is never overwritten. "
                        + "Publish this build under a new version with --version, or delete the tag in the registry if that push was a mistake.");
                }

                steps.Add(new PushStep(target, PushAction.KeepImmutable, remoteDigest, $"it already names another build ({remoteDigest}); immutable tags are not moved"));
                continue;
            }

            var reason = remoteDigest is null ? "not in the registry" : $"registry serves {remoteDigest}, another image";
            steps.Add(new PushStep(target, PushAction.Push, remoteDigest, reason));
        }

        return steps;
    }

    /// <summary>
    /// Plans with <see cref="PlanAsync"/>, then tags the image <paramref name="imageId"/> with each target to push and
    /// pushes it, in plan order: immutable tags, then <c>X.Y</c> and <c>X</c>, then <c>latest</c>. Logins for all
    /// registries are looked up before the first push. A failure stops the run, so no floating tag moves after a
    /// failed immutable push.
    /// </summary>
    /// <returns>The references that now serve the image, pushed or already present, in plan order.</returns>
    /// <exception cref="PipelineException">A login source is broken, a push fails, or a digest differs. The message
    /// names the failed reference, the registry's message, and which references were and were not pushed.</exception>
    public async Task<IReadOnlyList<PushedImage>> PushAsync(string imageId, TagPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageId);
        ArgumentNullException.ThrowIfNull(plan);

        IReadOnlyList<PushStep> steps;
        try
        {
            steps = await PlanAsync(imageId, plan, cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineException exception)
        {
            throw new PipelineException(
                $"Publishing stopped before the first push: {exception.Message} Pushed: nothing. Not pushed: {string.Join(", ", plan.Targets.Select(target => target.Reference))}.",
                exception);
        }

        var done = new List<PushedImage>();
        for (var index = 0; index < steps.Count; index++)
        {
            var step = steps[index];
            var login = logins[step.Target.Registry!];
            switch (step.Action)
            {
                case PushAction.AlreadyPresent:
                    logger.Information("Skipped {Reference}: the registry already serves {Digest}", step.Target.Reference, step.RemoteDigest);
                    done.Add(new PushedImage(step.Target, step.RemoteDigest!, login?.Source, AlreadyPresent: true));
                    continue;
                case PushAction.KeepHigher:
                    logger.Information("Kept {Reference} where it is: {Reason}", step.Target.Reference, step.Reason);
                    continue;
                case PushAction.KeepImmutable:
                    logger.Warning("Kept {Reference} where it is: {Reason}", step.Target.Reference, step.Reason);
                    continue;
            }

            try
            {
                done.Add(await PushOneAsync(imageId, step.Target, login, cancellationToken).ConfigureAwait(false));
            }
            catch (PipelineException exception)
            {
                var notPushed = steps.Skip(index).Where(remaining => remaining.Action == PushAction.Push).Select(remaining => remaining.Target.Reference);
                var pushed = done.Count == 0
                    ? "nothing"
                    : string.Join(", ", done.Select(image => $"{image.Reference} ({image.Digest}{(image.AlreadyPresent ? ", already present" : "")})"));
                throw new PipelineException(
                    $"Publishing stopped at {step.Target.Reference}: {exception.Message} Pushed: {pushed}. Not pushed: {string.Join(", ", notPushed)}. Run Publish again to push the rest; tags already present are skipped.",
                    exception);
            }
        }

        return done;
    }

    public void Dispose() => manifests.Dispose();

    private async Task ResolveLoginsAsync(TagPlan plan, CancellationToken cancellationToken)
    {
        foreach (var registry in plan.Registries.Where(registry => !logins.ContainsKey(registry)))
        {
            var login = await credentials.ResolveAsync(registry, cancellationToken).ConfigureAwait(false);
            logins[registry] = login;
            if (login is null)
            {
                logger.Information("Registry {Registry}: no login found, so requests are sent without one", registry.Address);
            }
            else
            {
                logger.Information("Registry {Registry}: using {Login}", registry.Address, login.ToString());
            }
        }
    }

    private async Task<HashSet<string>> ReadRepoDigestsAsync(string imageId, CancellationToken cancellationToken)
    {
        var image = await client.Images.InspectImageAsync(imageId, cancellationToken).ConfigureAwait(false);
        return new HashSet<string>(image.RepoDigests ?? [], StringComparer.Ordinal);
    }

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
