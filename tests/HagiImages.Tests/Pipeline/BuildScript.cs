using System.Diagnostics;
using System.Text;

namespace HagiImages.Tests.Pipeline;

/// <summary>
/// Runs <c>build.sh</c> of a repository folder as a release manager would, and captures its output.
/// </summary>
internal static class BuildScript
{
    /// <summary>The repository these tests were built from: the folder holding HagiImages.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static async Task<(int ExitCode, string Output)> RunAsync(
        string repositoryRoot,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(repositoryRoot, "build.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(output, line.Data);
        process.ErrorDataReceived += (_, line) => Append(output, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"build.sh {string.Join(' ', arguments)} did not finish within {timeout ?? TimeSpan.FromMinutes(5)}. Output so far:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>
    /// Copies the tracked source of the repository (no bin, obj or artifacts) to a temporary folder, for tests
    /// that change input files.
    /// </summary>
    public static string CopyRepository()
    {
        var target = Path.Combine(Path.GetTempPath(), $"hagi-test-repo-{Guid.NewGuid():N}");
        CopyFolder(RepositoryRoot, target);
        return target;
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
            }
        }

        foreach (var folder in Directory.EnumerateDirectories(source))
        {
            var name = Path.GetFileName(folder);
            if (name is "bin" or "obj" or "artifacts" or ".git" or "TestResults" || new FileInfo(folder).LinkTarget is not null)
            {
                continue;
            }

            CopyFolder(folder, Path.Combine(target, name));
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "HagiImages.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"HagiImages.sln was not found above {AppContext.BaseDirectory}.");
    }
}
