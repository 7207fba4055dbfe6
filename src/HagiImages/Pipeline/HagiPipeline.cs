using Docker.DotNet;
using HagiImages.BaseImage;
using HagiImages.BuildImages;
using HagiImages.Docker;
using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Publish;
using HagiImages.Release;
using HagiImages.Render;
using HagiImages.Resolve;
using HagiImages.SmokeTest;
using Serilog;

namespace HagiImages.Pipeline;

/// <summary>
/// Runs the pipeline's stages over every image under <c>images/</c>; each public method backs one build target.
/// Later targets use what earlier ones produced in the same run (base images, built image ids).
/// </summary>
public sealed class HagiPipeline : IDisposable
{
    private readonly PipelineOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Dictionary<string, string> baseImages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> builtImages = new(StringComparer.Ordinal);
    private IReadOnlyList<ImageManifest>? manifests;
    private DockerClient? docker;
    private HttpClient? downloads;
    private BuildIdentity? identity;
    private BuildSettings? buildSettings;

    public HagiPipeline(PipelineOptions options, ILogger logger, TimeProvider? time = null)
    {
        this.options = options;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Checks the option values that later stages read (--registry, --ca-bundle, --smoke-check), so that a bad value
    /// fails before any image is built. Each check throws the error its stage would throw.
    /// </summary>
    /// <exception cref="PipelineException">A registry is invalid, the CA bundle is missing or contains no certificate,
    /// or a smoke check does not exist.</exception>
    public void CheckOptions()
    {
        foreach (var registry in options.Registries)
        {
            RegistryTarget.Parse(registry);
        }

        if (options.CaBundle is not null)
        {
            BuildSettingsFromHost();
        }

        if (options.SmokeChecks.Count > 0)
        {
            SmokeTestStage.Select(
                Manifests().ToDictionary(manifest => manifest.Name, SmokeTestStage.AllChecks, StringComparer.Ordinal),
                options.SmokeChecks);
        }
    }

    /// <summary>Returns the manifests the run covers, loading and validating them once.</summary>
    public IReadOnlyList<ImageManifest> Manifests()
    {
        if (manifests is not null)
        {
            return manifests;
        }

        var all = ManifestLoader.LoadAll(options.ImagesDirectory);
        if (options.Image is { } name)
        {
            var chosen = all.Where(manifest => manifest.Name == name).ToList();
            if (chosen.Count == 0)
            {
                throw new PipelineException(
                    $"Image '{name}' (from --image) was not found under '{options.ImagesDirectory}'. Use one of: {string.Join(", ", all.Select(manifest => manifest.Name))}.");
            }

            all = chosen;
        }

        manifests = all;
        return manifests;
    }

    /// <summary>Resolves every image's versions and prints how they compare with the lock file; writes nothing.</summary>
    public async Task ResolveAsync(CancellationToken cancellationToken = default)
    {
        using var client = CreateNpmClient();
        var stage = new ResolveStage(client, time, logger);
        var failures = new List<string>();
        foreach (var manifest in Manifests())
        {
            var report = await stage.ResolveAsync(manifest, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Image {manifest.Name} ({report.LockPath}):");
            Console.WriteLine(ResolveReportFormatter.FormatTable(report));
            failures.AddRange(report.Errors.Select(error => $"{manifest.Name}/{error}"));

            if (ImageLockStore.TryRead(ImageLockStore.PathFor(manifest)) is { } imageLock && manifest.Clis.All(cli => imageLock.Clis.ContainsKey(cli.Id)))
            {
                foreach (var cli in PackageTreeLocker.FindStale(manifest, imageLock))
                {
                    logger.Warning("The npm lock files of CLI {Cli} in image {Image} do not match its pin; run Bump to write them", cli.Id, manifest.Name);
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new PipelineException($"Resolve failed:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", failures)}");
        }
    }

    /// <summary>
    /// Resolves and writes each image's lock file, then the per-CLI npm lock files. When the npm lock files cannot
    /// be made, the image lock file is put back as it was.
    /// </summary>
    public async Task BumpAsync(CancellationToken cancellationToken = default)
    {
        if (options.To is not null && options.Cli is null)
        {
            throw new PipelineException($"--to {options.To} needs --cli ID to say which CLI to pin.");
        }

        var selected = Manifests().Where(manifest => options.Cli is null || manifest.Clis.Any(cli => cli.Id == options.Cli)).ToList();
        if (selected.Count == 0)
        {
            throw new PipelineException(
                $"No image has a CLI '{options.Cli}' (from --cli). CLIs: {string.Join(", ", Manifests().SelectMany(manifest => manifest.Clis).Select(cli => cli.Id).Distinct())}.");
        }

        var github = options.PullRequest ? GitHubSettings.Resolve(options.GitHubRepository, options.GitHubApiUrl, Environment.GetEnvironmentVariable) : null;
        var bumped = new List<(ImageManifest Manifest, BumpResult Result)>();
        using var client = CreateNpmClient();
        var stage = new ResolveStage(client, time, logger);
        foreach (var manifest in selected)
        {
            var lockPath = ImageLockStore.PathFor(manifest);
            var previous = File.Exists(lockPath) ? await File.ReadAllBytesAsync(lockPath, cancellationToken).ConfigureAwait(false) : null;
            var result = await stage.BumpAsync(manifest, options.Cli, options.To, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"Image {manifest.Name} ({lockPath}):");
            Console.WriteLine(ResolveReportFormatter.FormatTable(result.Report));

            try
            {
                await LockPackageTreesAsync(manifest, result.Lock, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (result.Written)
            {
                await RestoreAsync(lockPath, previous).ConfigureAwait(false);
                logger.Error("Restored {LockPath} because the npm lock files of image {Image} could not be written", lockPath, manifest.Name);
                throw;
            }

            var summaryPath = Path.Combine(options.ArtifactsDirectory, "bump", $"{manifest.Name}.md");
            Directory.CreateDirectory(Path.GetDirectoryName(summaryPath)!);
            await File.WriteAllTextAsync(summaryPath, ResolveReportFormatter.FormatChangeSummary(result), cancellationToken).ConfigureAwait(false);
            logger.Information("Bump of image {Image}: {ChangeCount} pins changed; summary in {SummaryPath}", manifest.Name, result.Changes.Count, summaryPath);
            bumped.Add((manifest, result));
        }

        if (github is not null)
        {
            await OpenBumpPullRequestAsync(bumped, github, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Renders the generated files of every image, or with --check compares them.</summary>
    public async Task RenderAsync(CancellationToken cancellationToken = default)
    {
        var stage = new RenderStage(logger);
        foreach (var manifest in Manifests())
        {
            if (options.Check)
            {
                await stage.CheckAsync(manifest, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await stage.WriteAsync(manifest, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Makes or finds the base image of every image.</summary>
    public async Task BaseImageAsync(CancellationToken cancellationToken = default)
    {
        foreach (var manifest in Manifests())
        {
            await EnsureBaseImageAsync(manifest, ImageLockStore.Read(manifest), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Builds and tags every image from its rendered Dockerfile.</summary>
    public async Task BuildImagesAsync(CancellationToken cancellationToken = default)
    {
        var client = await DockerAsync(cancellationToken).ConfigureAwait(false);
        var buildIdentity = await IdentityAsync(cancellationToken).ConfigureAwait(false);
        var builder = new ImageBuilder(client, logger);
        var platform = NpmPlatform.DebianOn((await client.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false)).Architecture);
        using var npm = CreateNpmClient();
        var store = new PackageTarballStore(npm, TarballStoreFolder, logger);
        foreach (var manifest in Manifests())
        {
            var imageLock = ImageLockStore.Read(manifest);
            var stale = PackageTreeLocker.FindStale(manifest, imageLock);
            if (stale.Count > 0)
            {
                throw new PipelineException(
                    $"The npm lock files of image '{manifest.Name}' do not match image.lock.json for CLI '{string.Join("', '", stale.Select(cli => cli.Id))}'. Run './build.sh --target Bump' and commit the result.");
            }

            var baseImage = await EnsureBaseImageAsync(manifest, imageLock, cancellationToken).ConfigureAwait(false);
            var tarballs = await ImageBuildPlan.FetchTarballsAsync(manifest, store, platform, cancellationToken).ConfigureAwait(false);
            var request = new ImageBuildRequest
            {
                Context = ImageBuildPlan.CreateContext(manifest, tarballs),
                RemoveIntermediateImages = false,
                Tags = ImageBuildPlan.Tags(manifest, buildIdentity),
                BuildArgs = new Dictionary<string, string> { ["BASE_IMAGE"] = baseImage },
                Labels = ImageBuildPlan.Labels(manifest, imageLock, buildIdentity),
            };
            await builder.BuildAsync(request, cancellationToken).ConfigureAwait(false);
            builtImages[manifest.Name] = request.Tags[1];
        }
    }

    /// <summary>
    /// Runs the smoke checks (all, or those named by --smoke-check) on every built image and writes the reports:
    /// a console table, <c>artifacts/smoke/junit.xml</c> and <c>artifacts/smoke/summary.md</c>, which is also
    /// appended to the file named by <c>GITHUB_STEP_SUMMARY</c>. Ctrl+C cancels the run after its containers and
    /// volumes are removed.
    /// </summary>
    /// <exception cref="PipelineException">A check failed, or a --smoke-check name matches no check.</exception>
    public async Task SmokeTestAsync(CancellationToken cancellationToken = default)
    {
        var client = await DockerAsync(cancellationToken).ConfigureAwait(false);
        var stage = new SmokeTestStage(client, logger) { Secrets = BuildSecrets.FromBuildSettings(BuildSettingsFromHost()) };
        var checksByImage = SmokeTestStage.Select(
            Manifests().ToDictionary(manifest => manifest.Name, SmokeTestStage.AllChecks, StringComparer.Ordinal),
            options.SmokeChecks);

        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancelKey = (_, eventArgs) =>
        {
            // The process stays alive so that the sessions can remove their containers and volumes.
            eventArgs.Cancel = true;
            logger.Warning("Cancelling the smoke test; removing its containers and volumes");
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancelKey;
        var results = new List<SmokeResult>();
        try
        {
            foreach (var manifest in Manifests())
            {
                var image = BuiltImage(manifest);
                var imageLock = ImageLockStore.Read(manifest);
                results.AddRange(await stage.RunAsync(manifest, imageLock, image, checksByImage[manifest.Name], interrupt.Token).ConfigureAwait(false));
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancelKey;
        }

        Console.WriteLine(SmokeReport.FormatTable(results));
        var reportDirectory = Path.Combine(options.ArtifactsDirectory, "smoke");
        var junitPath = Path.Combine(reportDirectory, "junit.xml");
        var summaryPath = Path.Combine(reportDirectory, "summary.md");
        await SmokeReport.WriteJUnitAsync(junitPath, results, cancellationToken).ConfigureAwait(false);
        await SmokeMarkdownReport.WriteAsync(
            summaryPath, results, Environment.GetEnvironmentVariable(SmokeMarkdownReport.StepSummaryVariable), cancellationToken).ConfigureAwait(false);
        logger.Information("Smoke test reports written to {JUnitPath} and {SummaryPath}", junitPath, summaryPath);

        var failed = results.Where(result => !result.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new PipelineException(
                $"Smoke test failed: {string.Join(", ", failed.Select(result => $"{result.Image}/{result.Check}"))}. The reasons are in the table above, in {junitPath} and in {summaryPath}.");
        }
    }

    /// <summary>
    /// Pushes every built image to each --registry, or exports it when none is given, and writes what was published
    /// to <c>artifacts/publish/result.json</c>. With --dry-run it prints the plan and changes nothing.
    /// </summary>
    public async Task PublishAsync(CancellationToken cancellationToken = default)
    {
        var client = await DockerAsync(cancellationToken).ConfigureAwait(false);
        var buildIdentity = await IdentityAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<PublishedImageRecord>();
        foreach (var manifest in Manifests())
        {
            var imageLock = ImageLockStore.Read(manifest);
            var request = new PublishRequest
            {
                SourceImage = options.DryRun && !builtImages.ContainsKey(manifest.Name) ? $"{manifest.Repository}:{buildIdentity.Version}" : BuiltImage(manifest),
                Repository = manifest.Repository,
                Version = buildIdentity.Version,
                Revision = buildIdentity.Revision,
                Registries = options.Registries,
                CliTag = manifest.Clis.Count == 1 ? TagPlan.CliTag(manifest.Clis[0].Id, imageLock.Clis[manifest.Clis[0].Id].Version) : null,
                DryRun = options.DryRun,
                OutputDirectory = Path.Combine(options.ArtifactsDirectory, "publish"),
            };
            var result = await PublishStage.RunAsync(client, request, logger, cancellationToken: cancellationToken).ConfigureAwait(false);
            Console.WriteLine(result.Summary);
            records.Add(new PublishedImageRecord
            {
                Name = manifest.Name,
                Repository = manifest.Repository,
                ImageId = result.ImageId,
                Clis = manifest.Clis.Select(cli => new CliVersionRecord(cli.Id, cli.Package, imageLock.Clis[cli.Id].Version)).ToList(),
                References = result.Pushed.Select(image => new PublishedReference(image.Reference, image.DigestReference, image.Digest, image.AlreadyPresent)).ToList(),
                Archive = result.Archive?.ArchivePath,
            });
        }

        if (options.DryRun)
        {
            return;
        }

        var recordPath = Path.Combine(options.ArtifactsDirectory, "publish", PublishRecordFile.FileName);
        await PublishRecordFile.WriteAsync(recordPath, new PublishRecord { Version = buildIdentity.Version, Revision = buildIdentity.Revision, Images = records }, cancellationToken)
            .ConfigureAwait(false);
        logger.Information("Publish result written to {RecordPath}", recordPath);
    }

    /// <summary>
    /// Creates or updates the GitHub release of the version in <c>artifacts/publish/result.json</c>, which an earlier
    /// Publish run wrote.
    /// </summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        var recordPath = Path.Combine(options.ArtifactsDirectory, "publish", PublishRecordFile.FileName);
        var record = await PublishRecordFile.ReadAsync(recordPath, cancellationToken).ConfigureAwait(false);
        if (options.ImageVersion is { } requested && requested != record.Version)
        {
            throw new PipelineException(
                $"--version {requested} differs from version {record.Version} in '{recordPath}'. Run Publish with --version {requested} first, or leave out --version.");
        }

        var settings = GitHubSettings.Resolve(options.GitHubRepository, options.GitHubApiUrl, Environment.GetEnvironmentVariable);
        var release = await new GitHubReleasePublisher(settings.CreateClient(), settings, logger).CreateOrUpdateAsync(record, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"Release {release.TagName}: {release.HtmlUrl}");
    }

    /// <summary>Runs the solution's tests.</summary>
    public Task TestAsync(CancellationToken cancellationToken = default) =>
        new TestRunner(logger).RunAsync(options.RepositoryRoot, options.TestFilter, cancellationToken);

    public void Dispose()
    {
        docker?.Dispose();
        downloads?.Dispose();
    }

    /// <summary>
    /// Renders the bumped images so their generated files match the new pins, then commits, pushes and opens or
    /// updates one pull request: branch <c>hagi/bump-&lt;image&gt;</c> for one image, <c>hagi/bump-all</c> for several.
    /// </summary>
    private async Task OpenBumpPullRequestAsync(IReadOnlyList<(ImageManifest Manifest, BumpResult Result)> bumped, GitHubSettings github, CancellationToken cancellationToken)
    {
        var render = new RenderStage(logger);
        foreach (var (manifest, _) in bumped)
        {
            await render.WriteAsync(manifest, cancellationToken).ConfigureAwait(false);
        }

        var names = bumped.Select(item => item.Manifest.Name).ToList();
        var request = new BumpPullRequestRequest
        {
            Branch = names.Count == 1 ? $"hagi/bump-{names[0]}" : "hagi/bump-all",
            Paths = bumped.Select(item => Path.GetRelativePath(options.RepositoryRoot, item.Manifest.Directory)).ToList(),
            Title = $"Bump CLI versions of {string.Join(", ", names)}",
            Body = string.Join("\n", bumped.Select(item => ResolveReportFormatter.FormatChangeSummary(item.Result))),
        };
        var result = await new BumpPullRequest(options.RepositoryRoot, github.CreateClient(), github, logger).OpenOrUpdateAsync(request, cancellationToken).ConfigureAwait(false);
        Console.WriteLine(result switch
        {
            { Changed: false } => "Nothing changed, so no branch was pushed and no pull request was opened.",
            { Pushed: false } => $"Branch {request.Branch} was committed locally; there is no remote 'origin', so it was not pushed and no pull request was opened.",
            { Created: true } => $"Opened pull request #{result.PullRequestNumber}: {result.PullRequestUrl}",
            _ => $"Updated pull request #{result.PullRequestNumber}: {result.PullRequestUrl}",
        });
    }

    private async Task LockPackageTreesAsync(ImageManifest manifest, ImageLock imageLock, CancellationToken cancellationToken)
    {
        var stale = PackageTreeLocker.FindStale(manifest, imageLock);
        if (stale.Count == 0)
        {
            logger.Information("The npm lock files of image {Image} match its pins", manifest.Name);
        }
        else
        {
            var baseImage = await EnsureBaseImageAsync(manifest, imageLock, cancellationToken).ConfigureAwait(false);
            var locker = new PackageTreeLocker(await DockerAsync(cancellationToken).ConfigureAwait(false), logger);
            var files = await locker.GenerateAsync(manifest, imageLock, stale, baseImage, BuildSettingsFromHost(), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            await PackageTreeLocker.WriteAsync(files, cancellationToken).ConfigureAwait(false);
        }

        using var npm = CreateNpmClient();
        await PackageTreeLocker.AddLibcAsync(manifest, npm, logger, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> EnsureBaseImageAsync(ImageManifest manifest, ImageLock imageLock, CancellationToken cancellationToken)
    {
        if (baseImages.TryGetValue(manifest.Name, out var known))
        {
            return known;
        }

        var client = await DockerAsync(cancellationToken).ConfigureAwait(false);
        downloads ??= new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var provider = new BaseImageProvider(client, downloads, logger);
        var request = BaseImageRequest.FromManifest(manifest, imageLock, BaseImageSources.Parse(options.BaseImage)) with { Mirror = options.DebianMirror };
        var image = await provider.EnsureAsync(request, cancellationToken).ConfigureAwait(false);
        baseImages[manifest.Name] = image;
        return image;
    }

    private string BuiltImage(ImageManifest manifest) =>
        builtImages.TryGetValue(manifest.Name, out var image)
            ? image
            : throw new PipelineException($"Image '{manifest.Name}' was not built in this run. Run the BuildImages target first (SmokeTest and Publish depend on it).");

    /// <summary>The build host's store of verified npm tarballs, shared by every build from this checkout.</summary>
    private string TarballStoreFolder => Path.Combine(options.RepositoryRoot, "artifacts", "cache", "npm-tarballs");

    private NpmRegistryClient CreateNpmClient() =>
        new(NpmConfig.Load(options.RepositoryRoot), logger, new NpmRegistryClientOptions { ExtraCaBundle = BuildSettingsFromHost().CaBundle });

    private BuildSettings BuildSettingsFromHost() =>
        buildSettings ??= BuildSettingsResolver.Resolve(options.CaBundle, NpmConfig.Load(options.RepositoryRoot), logger);

    private async Task<DockerClient> DockerAsync(CancellationToken cancellationToken) =>
        docker ??= await DockerEngine.ConnectAsync(logger, cancellationToken).ConfigureAwait(false);

    private async Task<BuildIdentity> IdentityAsync(CancellationToken cancellationToken) =>
        identity ??= await BuildIdentity.DetectAsync(options.RepositoryRoot, options.ImageVersion, time, cancellationToken).ConfigureAwait(false);

    private static async Task RestoreAsync(string path, byte[]? previous)
    {
        if (previous is null)
        {
            File.Delete(path);
            return;
        }

        var temporaryPath = path + ".restore";
        await File.WriteAllBytesAsync(temporaryPath, previous, CancellationToken.None).ConfigureAwait(false);
        File.Move(temporaryPath, path, overwrite: true);
    }
}
