namespace HagiImages.Docker;

/// <summary>A command to run in a running container.</summary>
public sealed record ExecRequest
{
    /// <summary>Command and arguments, run without a shell.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>User name or <c>uid[:gid]</c>; empty runs as the container's user.</summary>
    public string User { get; init; } = "";

    /// <summary>Environment variables added to the container's own.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Working directory; empty uses the container's.</summary>
    public string WorkingDirectory { get; init; } = "";

    /// <summary>Time the command may run before the call fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}
