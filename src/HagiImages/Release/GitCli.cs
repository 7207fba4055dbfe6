using System.Diagnostics;
using HagiImages.Pipeline;

namespace HagiImages.Release;

/// <summary>Runs the git command-line tool in one repository as a child process.</summary>
internal sealed class GitCli
{
    private readonly string repositoryRoot;

    public GitCli(string repositoryRoot)
    {
        this.repositoryRoot = repositoryRoot;
    }

    /// <summary>Runs git and returns its standard output without the trailing newline.</summary>
    /// <exception cref="PipelineException">git is missing or exits with a non-zero code; the message has its standard error.</exception>
    public async Task<string> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var result = await TryRunAsync(arguments, environment, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result.Output
            : throw new PipelineException($"'git {string.Join(' ', arguments)}' in '{repositoryRoot}' failed with exit code {result.ExitCode}: {result.Error.Trim()}");
    }

    /// <summary>Runs git and returns its exit code, standard output (trimmed at the end) and standard error.</summary>
    /// <exception cref="PipelineException">git is not installed.</exception>
    public async Task<(int ExitCode, string Output, string Error)> TryRunAsync(
        IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A push that needs a password fails at once instead of waiting for input on a terminal.
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new PipelineException("git could not be started. Install git and put it on PATH.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new PipelineException($"git could not be started: {exception.Message}. Install git (Debian package 'git') and put it on PATH.", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, (await output.ConfigureAwait(false)).TrimEnd(), await error.ConfigureAwait(false));
        }
    }
}
