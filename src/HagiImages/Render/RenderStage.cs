using HagiImages.Manifest;
using HagiImages.Pipeline;
using HagiImages.Resolve;
using Serilog;

namespace HagiImages.Render;

/// <summary>
/// Generates the Dockerfile, the entrypoint script and the compose file of an image from its manifest and lock
/// file, and checks committed copies for freshness.
/// </summary>
public sealed class RenderStage
{
    private const string TemplateFolder = "templates";

    private static readonly (string Output, string Template, string CommentPrefix, bool Executable)[] Outputs =
    [
        ("Dockerfile", "Dockerfile.scriban", "# ", false),
        ("entrypoint.sh", "entrypoint.sh.scriban", "# ", true),
        ("compose.yaml", "compose.yaml.scriban", "# ", false),
    ];

    private readonly ILogger logger;

    public RenderStage(ILogger logger)
    {
        this.logger = logger;
    }

    /// <summary>
    /// Renders every generated file of an image in memory.
    /// </summary>
    /// <exception cref="PipelineException">The lock file is missing or stale, or a template is missing or invalid.</exception>
    public IReadOnlyList<RenderedFile> RenderImage(ImageManifest manifest)
    {
        var imageLock = ImageLockStore.Read(manifest);
        var imagesRoot = Path.GetDirectoryName(manifest.Directory)!;
        var repositoryRoot = Path.GetDirectoryName(imagesRoot)!;
        var composePath = Path.GetRelativePath(repositoryRoot, Path.Combine(manifest.Directory, "compose.yaml"));
        var model = RenderModel.Create(manifest, imageLock, composePath);

        var files = new List<RenderedFile>();
        foreach (var (output, templateName, commentPrefix, executable) in Outputs)
        {
            var templatePath = FindTemplate(manifest, imagesRoot, templateName);
            var sources = new[] { Path.Combine(manifest.Directory, ManifestLoader.ManifestFileName), ImageLockStore.PathFor(manifest), templatePath }
                .Select(path => Path.GetRelativePath(repositoryRoot, path));
            var header = GeneratedHeader.Create(commentPrefix, sources);
            var body = TemplateRenderer.Render(templatePath, model);
            files.Add(new RenderedFile(Path.Combine(manifest.Directory, output), GeneratedHeader.Insert(body, header), executable));
        }

        var ignoreSources = new[] { Path.GetRelativePath(repositoryRoot, Path.Combine(manifest.Directory, ManifestLoader.ManifestFileName)) };
        files.Add(new RenderedFile(
            Path.Combine(manifest.Directory, "build-only", ".gitignore"),
            GeneratedHeader.Create("# ", ignoreSources)
                + "# Files here (ca-bundle.crt, npmrc) reach only the CLI build stages, never the final image or git.\n*\n!.gitignore\n",
            false));
        return files;
    }

    /// <summary>
    /// Writes the generated files that differ from a fresh render and returns their paths.
    /// </summary>
    public async Task<IReadOnlyList<string>> WriteAsync(ImageManifest manifest, CancellationToken cancellationToken = default)
    {
        var written = new List<string>();
        foreach (var file in RenderImage(manifest))
        {
            if (await IsCurrentAsync(file, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            var temporaryPath = file.Path + ".tmp";
            await File.WriteAllTextAsync(temporaryPath, file.Content, cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporaryPath, file.Executable ? ExecutableMode : RegularMode);
            }

            File.Move(temporaryPath, file.Path, overwrite: true);
            written.Add(file.Path);
            logger.Information("Rendered {File} for image {Image}", file.Path, manifest.Name);
        }

        if (written.Count == 0)
        {
            logger.Information("Generated files of image {Image} are up to date", manifest.Name);
        }

        return written;
    }

    /// <summary>
    /// Compares the committed files with a fresh render.
    /// </summary>
    /// <exception cref="PipelineException">One or more files differ; the message lists them and the fix.</exception>
    public async Task CheckAsync(ImageManifest manifest, CancellationToken cancellationToken = default)
    {
        var stale = new List<string>();
        foreach (var file in RenderImage(manifest))
        {
            if (!await IsCurrentAsync(file, cancellationToken).ConfigureAwait(false))
            {
                stale.Add(file.Path);
            }
        }

        if (stale.Count > 0)
        {
            throw new PipelineException(
                $"Generated files of image '{manifest.Name}' are out of date: {string.Join(", ", stale)}. "
                + "Run './build.sh --target Render' and commit the result; do not edit generated files by hand.");
        }

        logger.Information("Generated files of image {Image} match a fresh render", manifest.Name);
    }

    private const UnixFileMode RegularMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode ExecutableMode =
        RegularMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static async Task<bool> IsCurrentAsync(RenderedFile file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file.Path))
        {
            return false;
        }

        var current = await File.ReadAllTextAsync(file.Path, cancellationToken).ConfigureAwait(false);
        if (current != file.Content)
        {
            return false;
        }

        // Windows has no executable bit; git records it from the Linux side.
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var isExecutable = (File.GetUnixFileMode(file.Path) & UnixFileMode.UserExecute) != 0;
        return isExecutable == file.Executable;
    }

    private static string FindTemplate(ImageManifest manifest, string imagesRoot, string templateName)
    {
        var own = Path.Combine(manifest.Directory, TemplateFolder, templateName);
        if (File.Exists(own))
        {
            return own;
        }

        var shared = Path.Combine(imagesRoot, TemplateFolder, templateName);
        if (File.Exists(shared))
        {
            return shared;
        }

        throw new PipelineException(
            $"Template '{templateName}' was not found in '{Path.GetDirectoryName(own)}' or '{Path.GetDirectoryName(shared)}'. Restore it from version control.");
    }
}
