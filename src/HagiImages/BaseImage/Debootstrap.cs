using System.Diagnostics;
using System.Runtime.Versioning;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BaseImage;

/// <summary>
/// Runs <c>debootstrap --variant=minbase --include=ca-certificates</c> to create a Debian root file system.
/// It needs root, because debootstrap chroots into the target and creates device nodes.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class Debootstrap
{
    private const int KeptLines = 30;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    private readonly ILogger logger;

    public Debootstrap(ILogger logger) => this.logger = logger;

    /// <summary>
    /// Creates the root file system of <paramref name="suite"/> in the empty folder <paramref name="target"/>. The
    /// suite and mirror must have passed <see cref="BootstrapInputs.From"/>.
    /// </summary>
    /// <exception cref="PipelineException">debootstrap is missing, the process is not root, or debootstrap failed or timed out.</exception>
    public async Task RunAsync(string suite, string mirror, string target, CancellationToken cancellationToken = default)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new PipelineException("debootstrap needs root, and this process is not root. Run the build as root or use --base-image registry.");
        }

        var startInfo = new ProcessStartInfo("debootstrap")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--variant=minbase", "--include=ca-certificates", suite, target, mirror })
        {
            startInfo.ArgumentList.Add(argument);
        }

        logger.Information("Running debootstrap for Debian {Suite} from {Mirror} into {Target}", suite, mirror, target);
        var stopwatch = Stopwatch.StartNew();
        var tail = new Queue<string>();
        using var process = Start(startInfo);
        process.OutputDataReceived += (_, line) => Keep(tail, line.Data);
        process.ErrorDataReceived += (_, line) => Keep(tail, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new PipelineException($"debootstrap of Debian {suite} did not finish within {Timeout.TotalMinutes:F0} min. Last output:\n{Join(tail)}", exception);
        }

        if (process.ExitCode != 0)
        {
            throw new PipelineException(
                $"debootstrap of Debian {suite} from {mirror} failed with exit code {process.ExitCode}. Check that the mirror is reachable. "
                + $"Last output:\n{Join(tail)}");
        }

        logger.Information("debootstrap of Debian {Suite} finished in {Seconds:F1} s", suite, stopwatch.Elapsed.TotalSeconds);
    }

    private static Process Start(ProcessStartInfo startInfo)
    {
        try
        {
            return Process.Start(startInfo) ?? throw new PipelineException("debootstrap could not be started.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new PipelineException(
                $"debootstrap could not be started: {exception.Message}. Install it ('apt-get install debootstrap') or use --base-image registry.",
                exception);
        }
    }

    private void Keep(Queue<string> tail, string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        logger.Debug("debootstrap: {Line}", line);
        lock (tail)
        {
            tail.Enqueue(line);
            while (tail.Count > KeptLines)
            {
                tail.Dequeue();
            }
        }
    }

    private static string Join(Queue<string> tail)
    {
        lock (tail)
        {
            return string.Join('\n', tail);
        }
    }
}
