using System.Text.RegularExpressions;
using HagiImages.Manifest;

namespace HagiImages.SmokeTest.Checks;

/// <summary>A command from the manifest's <c>smoke.commands</c>: its exit code and output patterns.</summary>
public sealed class DeclaredCommandCheck : ISmokeCheck
{
    private readonly SmokeCommandCheck definition;

    public DeclaredCommandCheck(SmokeCommandCheck definition)
    {
        this.definition = definition;
    }

    public string Name => $"command-{definition.Name}";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var commandLine = string.Join(' ', definition.Command);
        var environment = definition.Environment.Select(variable => $"{variable.Key}={variable.Value}").ToList();

        var result = await context.Session.RunAsync(definition.Command, environment, definition.User, cancellationToken: cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        if (result.ExitCode != definition.ExitCode)
        {
            problems.Add($"exited with code {result.ExitCode}, expected {definition.ExitCode}");
        }

        var output = result.Stdout + result.Stderr;
        foreach (var pattern in definition.ExpectedOutput)
        {
            if (!Matches(pattern, output))
            {
                problems.Add($"output does not match '{pattern}'");
            }
        }

        foreach (var pattern in definition.ExcludedOutput)
        {
            if (Matches(pattern, output))
            {
                problems.Add($"output matches the excluded '{pattern}'");
            }
        }

        if (problems.Count > 0)
        {
            throw new SmokeCheckFailedException($"'{commandLine}': {string.Join("; ", problems)}.", result.Output);
        }
    }

    private static bool Matches(string pattern, string output)
    {
        try
        {
            return SmokeOutputPattern.Create(pattern).IsMatch(output);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new SmokeCheckFailedException(
                $"Pattern '{pattern}' took more than {SmokeOutputPattern.MatchTimeout.TotalSeconds:F0} s to match the output. Simplify the pattern.");
        }
    }
}
