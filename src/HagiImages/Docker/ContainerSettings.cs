namespace HagiImages.Docker;

/// <summary>A long-running container: image, command, account, environment, named volumes and labels.</summary>
public sealed record ContainerSettings
{
    /// <summary>Image reference or id.</summary>
    public required string Image { get; init; }

    /// <summary>Container name; empty lets the engine choose one.</summary>
    public string Name { get; init; } = "";

    /// <summary>Command and arguments; empty uses the image's command.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Replaces the image's entrypoint when set; an empty list clears it.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>Environment variables added to the image's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>User name or <c>uid[:gid]</c>; empty runs as the image's user.</summary>
    public string User { get; init; } = "";

    public string WorkingDirectory { get; init; } = "";

    /// <summary>Named volumes by mount path in the container; the engine creates a missing volume.</summary>
    public IReadOnlyDictionary<string, string> Volumes { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels of the container, besides <see cref="DockerLabels.Managed"/>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
