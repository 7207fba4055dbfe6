namespace HagiImages.Docker;

/// <summary>A command to run once in a fresh container that is removed afterwards.</summary>
public sealed record ContainerRunRequest
{
    /// <summary>Image reference or id.</summary>
    public required string Image { get; init; }

    /// <summary>Command and arguments; the image's entrypoint, if any, receives them.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Replaces the image's entrypoint when set; an empty list clears it.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>Environment variables added to the image's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>User name or <c>uid[:gid]</c>; empty runs as the image's user.</summary>
    public string User { get; init; } = "";

    public string WorkingDirectory { get; init; } = "";

    /// <summary>Labels of the container, besides <see cref="DockerLabels.Managed"/>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Time the command may run before the container is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}
