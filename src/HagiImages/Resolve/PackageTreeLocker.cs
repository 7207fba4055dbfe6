using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet;
using HagiImages.Docker;
using HagiImages.Manifest;
using HagiImages.Npm;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.Resolve;

/// <summary>
/// Writes <c>npm/&lt;cli&gt;/package.json</c> and <c>package-lock.json</c> for each CLI of an image, so that the
/// build installs the whole dependency tree with <c>npm ci</c>: every package pinned and integrity-checked. The
/// lock is made by npm itself, inside a container of the base image so that npm matches the one in the build,
/// with <c>--before</c> set to the release-age cut-off.
/// </summary>
public sealed class PackageTreeLocker
{
    public const string NpmFolder = "npm";

    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(10);

    private const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly IDockerClient client;
    private readonly ILogger logger;

    public PackageTreeLocker(IDockerClient client, ILogger logger)
    {
        this.client = client;
        this.logger = logger;
    }

    /// <summary>Returns the folder of a CLI's package files.</summary>
    public static string FolderFor(ImageManifest manifest, string cliId) => Path.Combine(manifest.Directory, NpmFolder, cliId);

    /// <summary>
    /// Returns the CLIs whose package files are missing or do not match their pin.
    /// </summary>
    public static IReadOnlyList<CliDefinition> FindStale(ImageManifest manifest, ImageLock imageLock) =>
        manifest.Clis.Where(cli => !IsCurrent(manifest, cli, imageLock.Clis[cli.Id])).ToList();

    /// <summary>
    /// Generates the package files of the given CLIs in memory, with npm in a container of <paramref name="baseImage"/>.
    /// </summary>
    /// <exception cref="PipelineException">npm failed, timed out, or locked a different version or integrity than the pin.</exception>
    public async Task<IReadOnlyList<RenderedPackageFiles>> GenerateAsync(
        ImageManifest manifest,
        ImageLock imageLock,
        IReadOnlyList<CliDefinition> clis,
        string baseImage,
        BuildSettings settings,
        DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        var results = new List<RenderedPackageFiles>();
        foreach (var cli in clis)
        {
            var pin = imageLock.Clis[cli.Id];
            var policy = cli.Policy ?? manifest.Policy;
            var cutoff = now - TimeSpan.FromDays(policy.MinimumReleaseAgeDays);
            var before = pin.Published is { } published && published > cutoff ? published.AddSeconds(1) : cutoff;
            var packageJson = CreatePackageJson(manifest, cli, pin);
            var packageLock = await RunNpmAsync(manifest, cli, packageJson, baseImage, settings, before, cancellationToken).ConfigureAwait(false);
            CheckTopLevel(manifest, cli, pin, packageLock);
            results.Add(new RenderedPackageFiles(cli.Id, FolderFor(manifest, cli.Id), packageJson, packageLock));
            logger.Information("Locked the dependency tree of {Package}@{Version} for image {Image} (npm --before {Before:O})", pin.Package, pin.Version, manifest.Name, before);
        }

        return results;
    }

    /// <summary>Writes generated package files; each file goes to a temporary name first and is then renamed.</summary>
    public static async Task WriteAsync(IReadOnlyList<RenderedPackageFiles> files, CancellationToken cancellationToken = default)
    {
        foreach (var file in files)
        {
            Directory.CreateDirectory(file.Folder);
            await WriteFileAsync(Path.Combine(file.Folder, "package.json"), file.PackageJson, cancellationToken).ConfigureAwait(false);
            await WriteFileAsync(Path.Combine(file.Folder, "package-lock.json"), file.PackageLock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds the <c>libc</c> lists that npm leaves out to the npm lock file of every CLI of <paramref name="manifest"/>
    /// (see <see cref="PackageLockLibc"/>); a file is rewritten only when it changes.
    /// </summary>
    /// <exception cref="PipelineException">A lock file cannot be read, or a package document cannot be fetched.</exception>
    public static async Task AddLibcAsync(ImageManifest manifest, NpmRegistryClient client, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var cli in manifest.Clis)
        {
            var path = Path.Combine(FolderFor(manifest, cli.Id), "package-lock.json");
            var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
            var updated = await PackageLockLibc.AddAsync(text, path, client, cancellationToken).ConfigureAwait(false);
            if (updated != text)
            {
                await WriteFileAsync(path, updated, cancellationToken).ConfigureAwait(false);
                logger.Information("Recorded the libc of the platform packages of CLI {Cli} in {Path}", cli.Id, path);
            }
        }
    }

    private static bool IsCurrent(ImageManifest manifest, CliDefinition cli, PinnedPackage pin)
    {
        var folder = FolderFor(manifest, cli.Id);
        var packageJsonPath = Path.Combine(folder, "package.json");
        var packageLockPath = Path.Combine(folder, "package-lock.json");
        if (!File.Exists(packageJsonPath) || !File.Exists(packageLockPath))
        {
            return false;
        }

        if (File.ReadAllText(packageJsonPath) != CreatePackageJson(manifest, cli, pin))
        {
            return false;
        }

        try
        {
            var entry = JsonNode.Parse(File.ReadAllText(packageLockPath))?["packages"]?[$"node_modules/{pin.Package}"];
            return entry?["version"]?.GetValue<string>() == pin.Version && entry?["integrity"]?.GetValue<string>() == pin.Integrity;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string CreatePackageJson(ImageManifest manifest, CliDefinition cli, PinnedPackage pin)
    {
        var document = new JsonObject
        {
            ["//"] = $"Generated by HagiImages Bump from images/{manifest.Name}/image.lock.json. Do not edit: run ./build.sh --target Bump.",
            ["name"] = $"hagi-{manifest.Name}-{cli.Id}",
            ["version"] = "0.0.0",
            ["private"] = true,
            ["dependencies"] = new JsonObject { [pin.Package] = pin.Version },
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n") + "\n";
    }

    private async Task<string> RunNpmAsync(
        ImageManifest manifest,
        CliDefinition cli,
        string packageJson,
        string baseImage,
        BuildSettings settings,
        DateTimeOffset before,
        CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = "/tmp",
            ["npm_config_update_notifier"] = "false",
            ["npm_config_fund"] = "false",
            ["npm_config_audit"] = "false",
        };
        if (settings.CaBundle is not null)
        {
            environment["NODE_EXTRA_CA_CERTS"] = "/tmp/hagi-build/ca-bundle.crt";
            environment["npm_config_cafile"] = "/tmp/hagi-build/ca-bundle.crt";
        }

        if (settings.Npmrc is not null)
        {
            environment["NPM_CONFIG_USERCONFIG"] = "/tmp/hagi-build/npmrc";
        }

        var containers = new ContainerManager(client, logger);
        var files = new ContainerFiles(client, logger);
        var containerId = await containers.CreateAndStartAsync(
            new ContainerSettings
            {
                Image = baseImage,
                // An idle shell that exits at once on SIGTERM, so that removing the container does not wait.
                Command = ["sh", "-c", "trap 'exit 0' TERM INT; sleep infinity & wait"],
                Labels = new Dictionary<string, string> { ["io.hagicode.purpose"] = "package-lock", ["io.hagicode.image"] = manifest.Name },
            },
            cancellationToken).ConfigureAwait(false);
        try
        {
            await containers.ExecAsync(containerId, new ExecRequest { Command = ["mkdir", "-p", "/tmp/hagi-build", "/tmp/hagi-work"] }, cancellationToken).ConfigureAwait(false);
            await files.PutFileAsync(containerId, "/tmp/hagi-work/package.json", Encoding.UTF8.GetBytes(packageJson), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (settings.CaBundle is not null)
            {
                await files.PutFileAsync(containerId, "/tmp/hagi-build/ca-bundle.crt", Encoding.UTF8.GetBytes(settings.CaBundle), SecretMode, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (settings.Npmrc is not null)
            {
                await files.PutFileAsync(containerId, "/tmp/hagi-build/npmrc", Encoding.UTF8.GetBytes(settings.Npmrc), SecretMode, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var command = $"npm install --package-lock-only --ignore-scripts --no-audit --no-fund --before={before.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}";
            CommandResult result;
            try
            {
                result = await containers.ExecAsync(
                    containerId,
                    new ExecRequest { Command = ["sh", "-c", command], Environment = environment, WorkingDirectory = "/tmp/hagi-work", Timeout = NpmTimeout },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (PipelineException exception) when (!cancellationToken.IsCancellationRequested)
            {
                throw new PipelineException(
                    $"npm failed while locking the dependency tree of {cli.Package} for image '{manifest.Name}': {exception.Message} Check that the registry is reachable from containers.",
                    exception);
            }

            if (result.ExitCode != 0)
            {
                throw new PipelineException(
                    $"npm exited with code {result.ExitCode} while locking the dependency tree of {cli.Package} for image '{manifest.Name}'. "
                    + $"Last lines of its output:{Environment.NewLine}{result.Tail(30)}{Environment.NewLine}"
                    + "Behind an HTTPS-intercepting proxy, pass its CA bundle with --ca-bundle PATH.");
            }

            var packageLock = await files.GetFileAsync(containerId, "/tmp/hagi-work/package-lock.json", cancellationToken).ConfigureAwait(false);
            return Encoding.UTF8.GetString(packageLock).ReplaceLineEndings("\n");
        }
        finally
        {
            await containers.RemoveAsync(containerId, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void CheckTopLevel(ImageManifest manifest, CliDefinition cli, PinnedPackage pin, string packageLock)
    {
        var entry = JsonNode.Parse(packageLock)?["packages"]?[$"node_modules/{pin.Package}"];
        var version = entry?["version"]?.GetValue<string>();
        var integrity = entry?["integrity"]?.GetValue<string>();
        if (version != pin.Version || integrity != pin.Integrity)
        {
            throw new PipelineException(
                $"npm locked {pin.Package} at version '{version}' with integrity '{integrity}' for image '{manifest.Name}', CLI '{cli.Id}', "
                + $"but the lock file pins '{pin.Version}' with '{pin.Integrity}'. The registry may serve a republished package; check it before you bump.");
        }
    }

    private static async Task WriteFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temporaryPath = path + ".tmp";
        await File.WriteAllTextAsync(temporaryPath, content, cancellationToken).ConfigureAwait(false);
        File.Move(temporaryPath, path, overwrite: true);
    }
}
