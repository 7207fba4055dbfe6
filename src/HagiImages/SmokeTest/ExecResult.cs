namespace HagiImages.SmokeTest;

/// <summary>Exit code and captured output of a command run in a container.</summary>
public sealed record ExecResult(long ExitCode, string Stdout, string Stderr)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string Output => (Stdout + Stderr).Trim();
}
