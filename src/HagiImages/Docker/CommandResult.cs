namespace HagiImages.Docker;

/// <summary>
/// The outcome of a command run in a container: exit code and the demultiplexed output streams.
/// </summary>
/// <param name="ExitCode">Exit code of the process.</param>
/// <param name="Stdout">Standard output, decoded as UTF-8.</param>
/// <param name="Stderr">Standard error, decoded as UTF-8.</param>
public sealed record CommandResult(long ExitCode, string Stdout, string Stderr)
{
    /// <summary>Returns the last <paramref name="count"/> lines of standard output and standard error together.</summary>
    public string Tail(int count = 20)
    {
        var lines = (Stdout + "\n" + Stderr)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join('\n', lines.TakeLast(count));
    }
}
