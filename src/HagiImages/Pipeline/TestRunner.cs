using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using Serilog;

namespace HagiImages.Pipeline;

/// <summary>
/// Runs the solution's tests with <c>dotnet test</c> and writes a one-line summary that CI prints last.
/// </summary>
public sealed class TestRunner
{
    private readonly ILogger logger;

    public TestRunner(ILogger logger)
    {
        this.logger = logger;
    }

    /// <summary>
    /// Runs every test project of the solution in Release configuration; TRX results and <c>summary.txt</c> go to
    /// <c>artifacts/test-results</c>.
    /// </summary>
    /// <exception cref="PipelineException">A test failed or <c>dotnet test</c> could not run.</exception>
    public async Task RunAsync(string repositoryRoot, string? filter, CancellationToken cancellationToken = default)
    {
        var resultsDirectory = Path.Combine(repositoryRoot, "artifacts", "test-results");
        if (Directory.Exists(resultsDirectory))
        {
            Directory.Delete(resultsDirectory, recursive: true);
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repositoryRoot };
        foreach (var argument in new[] { "test", "HagiImages.sln", "--configuration", "Release", "--logger", "trx", "--logger", "console;verbosity=normal", "--results-directory", resultsDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        if (filter is not null)
        {
            start.ArgumentList.Add("--filter");
            start.ArgumentList.Add(filter);
        }

        logger.Information("Running tests: dotnet {Arguments}", string.Join(' ', start.ArgumentList));
        using var process = Process.Start(start) ?? throw new PipelineException("'dotnet test' could not be started. Check that the .NET SDK is on PATH.");
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);

        var (passed, failed, skipped) = CountResults(resultsDirectory);
        var summary = $"tests: {passed} passed, {failed} failed, {skipped} skipped";
        Directory.CreateDirectory(resultsDirectory);
        await File.WriteAllTextAsync(Path.Combine(resultsDirectory, "summary.txt"), summary + "\n", cancellationToken).ConfigureAwait(false);
        logger.Information("Test results: {Passed} passed, {Failed} failed, {Skipped} skipped", passed, failed, skipped);

        if (process.ExitCode != 0 || failed > 0)
        {
            throw new PipelineException($"Tests failed ('dotnet test' exited with code {process.ExitCode}; {failed} failed). See the output above and the TRX files in {resultsDirectory}.");
        }

        if (passed == 0)
        {
            throw new PipelineException($"No test ran. Check the test filter and the TRX files in {resultsDirectory}.");
        }
    }

    // Adds up the counters of every TRX file that dotnet test wrote.
    private static (int Passed, int Failed, int Skipped) CountResults(string resultsDirectory)
    {
        int passed = 0, failed = 0, skipped = 0;
        if (!Directory.Exists(resultsDirectory))
        {
            return (0, 0, 0);
        }

        foreach (var file in Directory.EnumerateFiles(resultsDirectory, "*.trx", SearchOption.AllDirectories))
        {
            var counters = XDocument.Load(file).Descendants().FirstOrDefault(element => element.Name.LocalName == "Counters");
            if (counters is null)
            {
                continue;
            }

            passed += Count(counters, "passed");
            failed += Count(counters, "failed") + Count(counters, "error") + Count(counters, "timeout") + Count(counters, "aborted");
            skipped += Count(counters, "notExecuted");
        }

        return (passed, failed, skipped);
    }

    private static int Count(XElement counters, string name) =>
        int.TryParse(counters.Attribute(name)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
