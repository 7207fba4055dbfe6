using System.Text.RegularExpressions;

namespace HagiImages.Manifest;

/// <summary>
/// Checks the <c>smoke</c> section of a manifest. Each message starts with the JSON path of the entry, such as
/// <c>$.smoke.commands[1].expectedOutput[0]</c>.
/// </summary>
internal static partial class SmokeSettingsValidator
{
    private const double MaxSizeBudgetMiB = 1024 * 1024;

    public static void Validate(List<string> errors, SmokeSettings smoke)
    {
        if (double.IsNaN(smoke.SizeBudgetMiB) || smoke.SizeBudgetMiB is < 0 or > MaxSizeBudgetMiB)
        {
            errors.Add($"$.smoke.sizeBudgetMiB: {smoke.SizeBudgetMiB} is out of range. Use a number of MiB above 0 and at most {MaxSizeBudgetMiB}, or leave it out for no budget.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < smoke.Commands.Count; index++)
        {
            ValidateCommand(errors, $"$.smoke.commands[{index}]", smoke.Commands[index], names);
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < smoke.Files.Count; index++)
        {
            ValidateFile(errors, $"$.smoke.files[{index}]", smoke.Files[index], paths);
        }

        if (smoke.Metadata is { } metadata)
        {
            ValidateMetadata(errors, "$.smoke.metadata", metadata);
        }
    }

    private static void ValidateCommand(List<string> errors, string path, SmokeCommandCheck check, HashSet<string> names)
    {
        if (!KebabCase().IsMatch(check.Name))
        {
            errors.Add($"{path}.name: '{check.Name}' is invalid. Use lower-case letters, digits and single hyphens, such as 'git-version'.");
        }
        else if (!names.Add(check.Name))
        {
            errors.Add($"{path}.name: '{check.Name}' is used by an earlier command check. Give each check its own name.");
        }

        if (check.Command.Count == 0 || check.Command[0].Length == 0)
        {
            errors.Add($"{path}.command: the list is empty or starts with an empty string. Name the program first, such as [\"git\", \"--version\"].");
        }

        for (var index = 0; index < check.Command.Count; index++)
        {
            if (check.Command[index].Contains('\0', StringComparison.Ordinal))
            {
                errors.Add($"{path}.command[{index}]: the argument contains a NUL character, which no process argument can carry.");
            }
        }

        ValidateEnvironment(errors, $"{path}.environment", check.Environment);

        if (check.User is { } user && !UserPattern().IsMatch(user))
        {
            errors.Add($"{path}.user: '{user}' is invalid. Use a user name or id, optionally with ':group', such as 'hagicode' or '1000:1000'.");
        }

        ValidatePatterns(errors, $"{path}.expectedOutput", check.ExpectedOutput);
        ValidatePatterns(errors, $"{path}.excludedOutput", check.ExcludedOutput);

        if (check.ExitCode is < 0 or > 255)
        {
            errors.Add($"{path}.exitCode: {check.ExitCode} is out of range. Use a process exit code from 0 to 255.");
        }
    }

    private static void ValidateFile(List<string> errors, string path, SmokeFileCheck check, HashSet<string> paths)
    {
        if (!AbsolutePath().IsMatch(check.Path))
        {
            errors.Add($"{path}.path: '{check.Path}' is invalid. Use an absolute path without control characters, such as '/usr/local/bin/hagi-entrypoint'.");
        }
        else if (!paths.Add(check.Path))
        {
            errors.Add($"{path}.path: '{check.Path}' is checked by an earlier entry. Merge the two entries.");
        }

        if (check.Owner is { } owner && !OwnerPattern().IsMatch(owner))
        {
            errors.Add($"{path}.owner: '{owner}' is invalid. Use a user name such as 'root' or a numeric id such as '0'.");
        }

        if (check.Group is { } group && !OwnerPattern().IsMatch(group))
        {
            errors.Add($"{path}.group: '{group}' is invalid. Use a group name such as 'root' or a numeric id such as '0'.");
        }

        if (check.Mode is { } mode && !ModePattern().IsMatch(mode))
        {
            errors.Add($"{path}.mode: '{mode}' is invalid. Use three or four octal digits, such as '0755' or '4755'.");
        }

        if (check.State == SmokeFileState.Absent && (check.Owner ?? check.Group ?? check.Mode) is not null)
        {
            errors.Add($"{path}: an absent path has no owner, group or mode. Remove them or set state to 'present'.");
        }
    }

    private static void ValidateMetadata(List<string> errors, string path, SmokeMetadataCheck metadata)
    {
        if (metadata.Entrypoint is { Count: 0 })
        {
            errors.Add($"{path}.entrypoint: the list is empty. Leave the field out to accept any entrypoint.");
        }

        ValidateEnvironment(errors, $"{path}.environment", metadata.Environment);

        foreach (var name in metadata.Labels.Keys.Where(name => name.Length == 0 || name.Any(char.IsControl)))
        {
            errors.Add($"{path}.labels: '{name}' is not a valid label key. Use a key such as 'org.opencontainers.image.title'.");
        }

        for (var index = 0; index < metadata.Volumes.Count; index++)
        {
            if (!AbsolutePath().IsMatch(metadata.Volumes[index]))
            {
                errors.Add($"{path}.volumes[{index}]: '{metadata.Volumes[index]}' is invalid. Use an absolute path.");
            }
        }

        if (metadata.Workdir is { } workdir && !AbsolutePath().IsMatch(workdir))
        {
            errors.Add($"{path}.workdir: '{workdir}' is invalid. Use an absolute path such as '/home/hagicode'.");
        }
    }

    private static void ValidateEnvironment(List<string> errors, string path, IReadOnlyDictionary<string, string> environment)
    {
        foreach (var (name, value) in environment)
        {
            if (!EnvironmentName().IsMatch(name))
            {
                errors.Add($"{path}: '{name}' is not a valid variable name. Use letters, digits and '_', not starting with a digit.");
            }

            if (value.Any(char.IsControl))
            {
                errors.Add($"{path}.{name}: the value contains a control character. Use one line of text.");
            }
        }
    }

    private static void ValidatePatterns(List<string> errors, string path, IReadOnlyList<string> patterns)
    {
        for (var index = 0; index < patterns.Count; index++)
        {
            try
            {
                _ = SmokeOutputPattern.Create(patterns[index]);
            }
            catch (ArgumentException exception)
            {
                errors.Add($"{path}[{index}]: '{patterns[index]}' is not a valid .NET regular expression ({exception.Message}).");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$")]
    private static partial Regex UserPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex OwnerPattern();

    [GeneratedRegex("^/[^\\u0000-\\u001f\\u007f]*$")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex("^[0-7]{3,4}$")]
    private static partial Regex ModePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
