using HagiImages.Manifest;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// A path from the manifest's <c>smoke.files</c>: whether it exists, and its owner, group and mode, as
/// <c>stat</c> run through the entrypoint reports them (so after the entrypoint's own changes, and without
/// following a final symbolic link).
/// </summary>
public sealed class DeclaredFileCheck : ISmokeCheck
{
    private readonly SmokeFileCheck definition;

    public DeclaredFileCheck(SmokeFileCheck definition)
    {
        this.definition = definition;
    }

    public string Name => $"file:{definition.Path}";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        // Prints "user uid group gid octal-mode"; exit code 1 with "No such file" when the path is missing.
        var result = await context.Session.RunAsync(["stat", "-c", "%U %u %G %g %a", "--", definition.Path], cancellationToken: cancellationToken).ConfigureAwait(false);
        var missing = result.ExitCode != 0 && result.Stderr.Contains("No such file", StringComparison.Ordinal);
        if (definition.State == SmokeFileState.Absent)
        {
            if (!missing)
            {
                throw new SmokeCheckFailedException($"{definition.Path} exists, expected it to be absent.", result.Output);
            }

            return;
        }

        if (missing)
        {
            throw new SmokeCheckFailedException($"{definition.Path} does not exist.", result.Output);
        }

        var fields = result.Stdout.Trim().Split(' ');
        if (result.ExitCode != 0 || fields.Length != 5)
        {
            throw new SmokeCheckFailedException($"'stat {definition.Path}' exited with code {result.ExitCode} and printed '{result.Output}'.", result.Output);
        }

        var problems = new List<string>();
        if (definition.Owner is { } owner && owner != fields[0] && owner != fields[1])
        {
            problems.Add($"owner is {fields[0]} ({fields[1]}), expected {owner}");
        }

        if (definition.Group is { } group && group != fields[2] && group != fields[3])
        {
            problems.Add($"group is {fields[2]} ({fields[3]}), expected {group}");
        }

        if (definition.Mode is { } mode && Convert.ToInt32(mode, 8) != Convert.ToInt32(fields[4], 8))
        {
            problems.Add($"mode is {fields[4].PadLeft(4, '0')}, expected {mode}");
        }

        if (problems.Count > 0)
        {
            throw new SmokeCheckFailedException($"{definition.Path}: {string.Join("; ", problems)}.");
        }
    }
}
