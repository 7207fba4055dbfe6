using System.Diagnostics;
using System.Text.RegularExpressions;
using HagiImages.Tests.Pipeline;

namespace HagiImages.Tests.Release;

/// <summary>
/// Validates the GitHub Actions workflows with action-validator (npm package <c>@action-validator/cli</c>, which
/// checks them against the workflow JSON schema), installed into a temporary folder. Without network access the
/// tests return early, unless <c>CI=true</c>, in which case they fail.
/// </summary>
public sealed partial class WorkflowTests : IDisposable
{
    private const string ValidatorPackage = "@action-validator/cli@0.6.0";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);
    private static readonly string[] Workflows = ["ci.yml", "bump.yml", "publish.yml"];

    private readonly string directory = Directory.CreateTempSubdirectory("hagi-test-workflows-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Workflows_PassActionValidator()
    {
        var validator = await InstallValidatorAsync();
        if (validator is null)
        {
            return;
        }

        foreach (var workflow in Workflows)
        {
            var (exitCode, output) = await RunAsync(validator, [WorkflowPath(workflow)], TimeSpan.FromMinutes(1));
            Assert.True(exitCode == 0, $"action-validator rejected {workflow} with exit code {exitCode}:\n{output}");
        }
    }

    [Fact]
    public async Task ActionValidator_BrokenWorkflow_Rejected()
    {
        var validator = await InstallValidatorAsync();
        if (validator is null)
        {
            return;
        }

        var broken = Path.Combine(directory, "broken.yml");
        await File.WriteAllTextAsync(broken, "name: broken\non: push\njobs:\n  build:\n    steps:\n      - run: ./build.sh\n");

        var (exitCode, output) = await RunAsync(validator, [broken], TimeSpan.FromMinutes(1));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("runs-on", output);
    }

    [Theory]
    [InlineData("ci.yml")]
    [InlineData("bump.yml")]
    [InlineData("publish.yml")]
    public void Workflow_RunStepsCallBuildScript(string workflow)
    {
        var lines = File.ReadAllLines(WorkflowPath(workflow));
        var runs = new List<(string Step, string Command)>();
        var step = "";
        foreach (var line in lines)
        {
            if (StepName().Match(line) is { Success: true } name)
            {
                step = name.Groups["name"].Value;
            }

            if (RunLine().Match(line) is { Success: true } run)
            {
                runs.Add((step, run.Groups["command"].Value));
            }
        }

        Assert.NotEmpty(runs);
        foreach (var (name, command) in runs.Where(run => !run.Step.StartsWith("Install ", StringComparison.Ordinal)))
        {
            Assert.True(command.StartsWith("./build.sh ", StringComparison.Ordinal), $"Step '{name}' of {workflow} runs '{command}', not ./build.sh.");
        }
    }

    [Fact]
    public void Bump_PassesPullRequestAndToken()
    {
        var text = File.ReadAllText(WorkflowPath("bump.yml"));

        Assert.Contains("--target Bump --pull-request", text);
        Assert.Contains("GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}", text);
        Assert.Contains("schedule:", text);
        Assert.Contains("workflow_dispatch:", text);
    }

    [Fact]
    public void Publish_RunsOnVersionTagsThenReleases()
    {
        var text = File.ReadAllText(WorkflowPath("publish.yml"));

        Assert.Contains("tags: [\"v*\"]", text);
        Assert.True(text.IndexOf("--target Publish", StringComparison.Ordinal) < text.IndexOf("--target Release", StringComparison.Ordinal));
    }

    private static string WorkflowPath(string name) => Path.Combine(BuildScript.RepositoryRoot, ".github", "workflows", name);

    private async Task<string?> InstallValidatorAsync()
    {
        var (exitCode, output) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", directory, ValidatorPackage], InstallTimeout);
        var validator = Path.Combine(directory, "node_modules", ".bin", "action-validator");
        if (exitCode == 0 && File.Exists(validator))
        {
            return validator;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"npm could not install {ValidatorPackage} (exit code {exitCode}), and CI=true requires the workflow check:\n{output}");
        }

        return null;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (-1, $"{fileName} could not be started: {exception.Message}");
        }

        using (process)
        {
            using var cancellation = new CancellationTokenSource(timeout);
            var output = process.StandardOutput.ReadToEndAsync(cancellation.Token);
            var error = process.StandardError.ReadToEndAsync(cancellation.Token);
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{fileName} did not finish within {timeout.TotalSeconds} s.");
            }

            return (process.ExitCode, await output + await error);
        }
    }

    [GeneratedRegex(@"^\s*-?\s*name:\s*(?<name>.+)$")]
    private static partial Regex StepName();

    [GeneratedRegex(@"^\s*-?\s*run:\s*(?<command>.+)$")]
    private static partial Regex RunLine();
}
