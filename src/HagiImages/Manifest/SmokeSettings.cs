namespace HagiImages.Manifest;

/// <summary>
/// The image's own smoke checks, run after the built-in ones: commands, files and image metadata, plus a size
/// budget.
/// </summary>
public sealed record SmokeSettings
{
    /// <summary>
    /// Upper bound of the image's compressed size in MiB (1 MiB = 1,048,576 bytes), estimated as the sum of the
    /// gzip sizes of its layers. 0, the default, sets no budget.
    /// </summary>
    public double SizeBudgetMiB { get; init; }

    public IReadOnlyList<SmokeCommandCheck> Commands { get; init; } = [];

    public IReadOnlyList<SmokeFileCheck> Files { get; init; } = [];

    /// <summary>Expected values of the image configuration; null when the manifest checks none.</summary>
    public SmokeMetadataCheck? Metadata { get; init; }
}

/// <summary>A command run in a fresh container through the image's entrypoint, with its expected outcome.</summary>
public sealed record SmokeCommandCheck
{
    /// <summary>Name in lower-case kebab case, unique among the image's command checks.</summary>
    public required string Name { get; init; }

    /// <summary>Command and arguments, passed to the entrypoint without a shell.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Extra environment variables of the container.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>User (name or id, optionally <c>:group</c>) the container runs as; null for the image's user.</summary>
    public string? User { get; init; }

    /// <summary>Regular expressions (.NET syntax) that must each match the combined standard output and error.</summary>
    public IReadOnlyList<string> ExpectedOutput { get; init; } = [];

    /// <summary>Regular expressions (.NET syntax) that must not match the combined standard output and error.</summary>
    public IReadOnlyList<string> ExcludedOutput { get; init; } = [];

    public int ExitCode { get; init; }
}

/// <summary>A path in the image's file system with its expected state, owner and mode.</summary>
public sealed record SmokeFileCheck
{
    /// <summary>Absolute path in the image.</summary>
    public required string Path { get; init; }

    public SmokeFileState State { get; init; } = SmokeFileState.Present;

    /// <summary>Owner as a user name or a numeric id; null to accept any owner.</summary>
    public string? Owner { get; init; }

    /// <summary>Group as a group name or a numeric id; null to accept any group.</summary>
    public string? Group { get; init; }

    /// <summary>Permission bits in octal, such as <c>0755</c> (setuid, setgid and sticky bits included); null to accept any mode.</summary>
    public string? Mode { get; init; }
}

/// <summary>Whether a checked path must exist.</summary>
public enum SmokeFileState
{
    Present,
    Absent,
}

/// <summary>Expected values of the image configuration, as <c>docker image inspect</c> shows them.</summary>
public sealed record SmokeMetadataCheck
{
    /// <summary>The configured user (<c>Config.User</c>); null to accept any.</summary>
    public string? User { get; init; }

    /// <summary>The exact entrypoint list; null to accept any.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>Environment variables that must be set to exactly these values.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels that must be set to exactly these values.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Paths that must be declared as volumes.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary>The working directory (<c>Config.WorkingDir</c>); null to accept any.</summary>
    public string? Workdir { get; init; }
}
