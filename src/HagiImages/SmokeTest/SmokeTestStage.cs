using System.Diagnostics;
using Docker.DotNet;
using HagiImages.Manifest;
using HagiImages.Resolve;
using HagiImages.SmokeTest.Checks;
using Serilog;

namespace HagiImages.SmokeTest;

/// <summary>
/// Runs the built-in checks against a built image and collects one result per check. A failing check does not
/// stop the others; every container and volume of the run is removed at the end.
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
    /// Runs <paramref name="checks"/> against <paramref name="image"/> and returns their results in order.
    /// </summary>
    public async Task<IReadOnlyList<SmokeResult>> RunAsync(
        ImageManifest manifest,
        ImageLock imageLock,
        string image,
        IReadOnlyList<ISmokeCheck> checks,
        CancellationToken cancellationToken = default)
    {
        var results = new List<SmokeResult>();
        await using var session = new SmokeSession(client, image, logger);
        var context = new SmokeContext(manifest, imageLock, session, logger);
        foreach (var check in checks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stopwatch = Stopwatch.StartNew();
            try
            {
                await check.RunAsync(context, cancellationToken).ConfigureAwait(false);
                results.Add(new SmokeResult(manifest.Name, check.Name, true, stopwatch.Elapsed, "", null));
                logger.Information("Smoke check {Check} passed on {Image} in {Seconds:F1} s", check.Name, image, stopwatch.Elapsed.TotalSeconds);
            }
            catch (SmokeCheckFailedException failure)
            {
                results.Add(new SmokeResult(manifest.Name, check.Name, false, stopwatch.Elapsed, failure.Message, failure.ContainerLogs));
                logger.Error("Smoke check {Check} failed on {Image}: {Reason}", check.Name, image, failure.Message);
            }
            catch (Exception exception) when (exception is DockerApiException or HagiImages.Pipeline.PipelineException or IOException)
            {
                results.Add(new SmokeResult(manifest.Name, check.Name, false, stopwatch.Elapsed, exception.Message, null));
                logger.Error("Smoke check {Check} failed on {Image}: {Reason}", check.Name, image, exception.Message);
            }
        }

        return results;
    }
}
