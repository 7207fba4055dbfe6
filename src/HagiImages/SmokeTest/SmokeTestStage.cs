using System.Diagnostics;
using Docker.DotNet;
using HagiImages.Manifest;
using HagiImages.Pipeline;
using HagiImages.Resolve;
using HagiImages.SmokeTest.Checks;
using Serilog;

namespace HagiImages.SmokeTest;

/// <summary>
/// Runs checks against a built image and collects one result per check. A failing check does not stop the others.
/// Every container and volume of the run is removed at the end, also after a failure or a cancellation.
/// </summary>
public sealed class SmokeTestStage
{
    private readonly DockerClient client;
    private readonly ILogger logger;

    public SmokeTestStage(DockerClient client, ILogger logger)
    {
        this.client = client;
        this.logger = logger;
    }

    /// <summary>Secret values of the build that <see cref="BuildSecretsCheck"/> searches the image for.</summary>
    public BuildSecrets Secrets { get; init; } = BuildSecrets.None;

    /// <summary>
    /// Number of checks of one image that run at the same time. Every check creates its own containers and
    /// volumes, so checks share none of them.
    /// </summary>
    public int MaxParallelChecks { get; init; } = 2;

    /// <summary>
    /// Returns the built-in checks for an image: non-root user, each CLI's version, state persistence, PUID/PGID
    /// remapping and validation, <c>--user</c> mode, settings injection, version override validation and stop time.
    /// </summary>
    public static IReadOnlyList<ISmokeCheck> BuiltInChecks(ImageManifest manifest)
    {
        var checks = new List<ISmokeCheck> { new NonRootUserCheck() };
        checks.AddRange(manifest.Clis.Select(cli => new CliVersionCheck(cli.Id)));
        checks.Add(new StatePersistenceCheck());
        checks.Add(new PuidRemapCheck());
        checks.Add(new InvalidPuidCheck());
        checks.Add(new UserModeCheck());
        checks.AddRange(manifest.Clis.Where(cli => cli.Settings is not null).Select(cli => new SettingsInjectionCheck(cli.Id)));
        if (manifest.Clis.Any(cli => cli.VersionVariable is not null))
        {
            checks.Add(new VersionOverrideCheck());
        }

        checks.Add(new StopTimeCheck());
        return checks;
    }

    /// <summary>
    /// Returns the built-in checks of the image's content: each CLI's engines.node, the entrypoint running a given
    /// command, locked accounts, no build secrets, and the size budget when the manifest sets one.
    /// </summary>
    public static IReadOnlyList<ISmokeCheck> ImageContentChecks(ImageManifest manifest)
    {
        var checks = new List<ISmokeCheck>();
        checks.AddRange(manifest.Clis.Select(cli => new NodeEnginesCheck(cli.Id)));
        checks.Add(new EntrypointCommandCheck());
        checks.Add(new AccountPasswordCheck());
        checks.Add(new BuildSecretsCheck());
        if (manifest.Smoke.SizeBudgetMiB > 0)
        {
            checks.Add(new ImageSizeCheck());
        }

        return checks;
    }

    /// <summary>Returns the checks declared in the manifest's <c>smoke</c> section: commands, files, then metadata.</summary>
    public static IReadOnlyList<ISmokeCheck> DeclaredChecks(ImageManifest manifest)
    {
        var checks = new List<ISmokeCheck>();
        checks.AddRange(manifest.Smoke.Commands.Select(command => new DeclaredCommandCheck(command)));
        checks.AddRange(manifest.Smoke.Files.Select(file => new DeclaredFileCheck(file)));
        if (manifest.Smoke.Metadata is { } metadata)
        {
            checks.Add(new DeclaredMetadataCheck(metadata));
        }

        return checks;
    }

    /// <summary>Returns every check of an image: <see cref="BuiltInChecks"/>, <see cref="ImageContentChecks"/>, <see cref="DeclaredChecks"/>.</summary>
    public static IReadOnlyList<ISmokeCheck> AllChecks(ImageManifest manifest) =>
        [.. BuiltInChecks(manifest), .. ImageContentChecks(manifest), .. DeclaredChecks(manifest)];

    /// <summary>
    /// Returns the checks whose names are in <paramref name="names"/>, in their original order; all of them when
    /// <paramref name="names"/> is empty.
    /// </summary>
    /// <exception cref="PipelineException">A name matches no check of any of the images.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<ISmokeCheck>> Select(
        IReadOnlyDictionary<string, IReadOnlyList<ISmokeCheck>> checksByImage,
        IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return checksByImage;
        }

        var known = checksByImage.Values.SelectMany(checks => checks).Select(check => check.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = names.Where(name => !known.Contains(name)).ToList();
        if (unknown.Count > 0)
        {
            throw new PipelineException(
                $"Smoke check '{string.Join("', '", unknown)}' (from --smoke-check) does not exist. Use one of: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }

        return checksByImage.ToDictionary(
            entry => entry.Key,
            entry => (IReadOnlyList<ISmokeCheck>)entry.Value.Where(check => names.Contains(check.Name)).ToList(),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// Runs <paramref name="checks"/> against <paramref name="image"/>, up to <see cref="MaxParallelChecks"/> at a
    /// time, and returns their results in the order of <paramref name="checks"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">The run was cancelled; its containers and volumes are removed first.</exception>
    public async Task<IReadOnlyList<SmokeResult>> RunAsync(
        ImageManifest manifest,
        ImageLock imageLock,
        string image,
        IReadOnlyList<ISmokeCheck> checks,
        CancellationToken cancellationToken = default)
    {
        var results = new SmokeResult[checks.Count];
        await using var session = new SmokeSession(client, image, logger);
        var context = new SmokeContext(manifest, imageLock, session, logger) { Secrets = Secrets };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, checks.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, MaxParallelChecks), CancellationToken = cancellationToken },
            async (index, token) => results[index] = await RunOneAsync(context, checks[index], token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    private async Task<SmokeResult> RunOneAsync(SmokeContext context, ISmokeCheck check, CancellationToken cancellationToken)
    {
        var image = context.Session.Image;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await check.RunAsync(context, cancellationToken).ConfigureAwait(false);
            logger.Information("Smoke check {Check} passed on {Image} in {Seconds:F1} s", check.Name, image, stopwatch.Elapsed.TotalSeconds);
            return new SmokeResult(context.Manifest.Name, check.Name, true, stopwatch.Elapsed, "", null);
        }
        catch (SmokeCheckFailedException failure)
        {
            logger.Error("Smoke check {Check} failed on {Image}: {Reason}", check.Name, image, failure.Message);
            return new SmokeResult(context.Manifest.Name, check.Name, false, stopwatch.Elapsed, failure.Message, failure.ContainerLogs);
        }
        catch (Exception exception) when (exception is DockerApiException or PipelineException or IOException or InvalidDataException)
        {
            logger.Error(exception, "Smoke check {Check} failed on {Image}: {Reason}", check.Name, image, exception.Message);
            return new SmokeResult(context.Manifest.Name, check.Name, false, stopwatch.Elapsed, exception.Message, null);
        }
    }
}
