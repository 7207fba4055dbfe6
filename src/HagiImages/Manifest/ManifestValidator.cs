using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HagiImages.Manifest;

/// <summary>
/// Checks the rules of a manifest that JSON types cannot express. Every value that reaches a Dockerfile, a
/// shell script or a file name is checked here against a strict pattern.
/// </summary>
public static partial class ManifestValidator
{
    /// <summary>
    /// Returns one message per broken rule, each naming the JSON path, the value and the fix.
    /// </summary>
    public static IReadOnlyList<string> Validate(ImageManifest manifest, string folderName)
    {
        var errors = new List<string>();

        if (manifest.Name != folderName)
        {
            errors.Add($"$.name: '{manifest.Name}' differs from the folder name '{folderName}'. Rename one of them.");
        }

        if (!KebabCase().IsMatch(manifest.Name))
        {
            errors.Add($"$.name: '{manifest.Name}' is invalid. Use lower-case letters, digits and single hyphens.");
        }

        if (!RepositoryPattern().IsMatch(manifest.Repository))
        {
            errors.Add($"$.repository: '{manifest.Repository}' is not a valid image repository. Use lower-case path parts such as 'hagicode/ai-cli', without registry or tag.");
        }

        if (manifest.Description.Any(char.IsControl) || manifest.Description.Contains('"', StringComparison.Ordinal))
        {
            errors.Add($"$.description: {Quote(manifest.Description)} is invalid. Use one line of text without double quotes or control characters, because it becomes an image label.");
        }

        ValidateSpec(errors, "$.node.version", manifest.Node.Version);
        ValidateSpec(errors, "$.node.npm", manifest.Node.Npm);
        if (!ImageReferencePattern().IsMatch(manifest.Node.RegistryImage))
        {
            errors.Add($"$.node.registryImage: '{manifest.Node.RegistryImage}' is not a valid image reference. Use a form such as 'node:22-bookworm-slim'.");
        }

        if (!UserNamePattern().IsMatch(manifest.User.Name))
        {
            errors.Add($"$.user.name: '{manifest.User.Name}' is not a valid user name. Use lower-case letters, digits, '_' or '-', starting with a letter, at most 32 characters.");
        }

        ValidateId(errors, "$.user.uid", manifest.User.Uid);
        ValidateId(errors, "$.user.gid", manifest.User.Gid);
        ValidatePolicy(errors, "$.policy", manifest.Policy);
        ValidateAptPackages(errors, manifest.AptPackages);

        if (manifest.Clis.Count == 0)
        {
            errors.Add("$.clis: the list is empty. Add at least one CLI.");
        }

        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var seenExecutables = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenState = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenVariables = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var index = 0; index < manifest.Clis.Count; index++)
        {
            ValidateCli(errors, $"$.clis[{index}]", manifest.Clis[index], seenIds, seenExecutables, seenState);
            ValidateRuntimeVariables(errors, $"$.clis[{index}]", manifest.Clis[index], seenVariables);
        }

        SmokeSettingsValidator.Validate(errors, manifest.Smoke);

        return errors;
    }

    private static void ValidateCli(
        List<string> errors,
        string path,
        CliDefinition cli,
        HashSet<string> seenIds,
        Dictionary<string, string> seenExecutables,
        Dictionary<string, string> seenState)
    {
        if (!KebabCase().IsMatch(cli.Id))
        {
            errors.Add($"{path}.id: '{cli.Id}' is invalid. Use lower-case letters, digits and single hyphens, such as 'claude-code'.");
        }
        else if (!seenIds.Add(cli.Id))
        {
            errors.Add($"{path}.id: '{cli.Id}' is used by an earlier CLI. Give each CLI its own id.");
        }

        if (!NpmPackageName().IsMatch(cli.Package) || cli.Package.Length > 214)
        {
            errors.Add($"{path}.package: '{cli.Package}' is not a valid npm package name. Use a name such as 'opencode-ai' or '@scope/name'.");
        }

        ValidateSpec(errors, $"{path}.version", cli.Version);

        if (cli.Executables.Count == 0)
        {
            errors.Add($"{path}.executables: the list is empty. Name the command the package installs, such as 'claude'.");
        }

        for (var index = 0; index < cli.Executables.Count; index++)
        {
            var executable = cli.Executables[index];
            if (!ExecutablePattern().IsMatch(executable))
            {
                errors.Add($"{path}.executables[{index}]: '{executable}' is not a valid command name. Use letters, digits, '.', '_' or '-'.");
            }
            else if (seenExecutables.TryGetValue(executable, out var owner))
            {
                errors.Add($"{path}.executables[{index}]: '{executable}' is installed by '{owner}' too. Each command may come from one CLI.");
            }
            else
            {
                seenExecutables[executable] = cli.Id;
            }
        }

        if (cli.VersionCommand is { } versionCommand)
        {
            if (versionCommand.Count == 0 || !ExecutablePattern().IsMatch(versionCommand[0]))
            {
                errors.Add($"{path}.versionCommand: '{string.Join(' ', versionCommand)}' must start with a command name.");
            }

            for (var index = 0; index < versionCommand.Count; index++)
            {
                if (!ArgumentPattern().IsMatch(versionCommand[index]))
                {
                    errors.Add($"{path}.versionCommand[{index}]: '{versionCommand[index]}' contains characters outside letters, digits and '-_.=/:'.");
                }
            }
        }

        for (var index = 0; index < cli.State.Count; index++)
        {
            var state = cli.State[index];
            if (!StatePathPattern().IsMatch(state.Path))
            {
                errors.Add($"{path}.state[{index}].path: '{state.Path}' is invalid. Use a path under the home folder such as '~/.claude', with letters, digits, '.', '_' or '-' in each part and no '.' or '..' part.");
            }
            else if (seenState.TryGetValue(state.Path, out var owner))
            {
                errors.Add($"{path}.state[{index}].path: '{state.Path}' is declared by '{owner}' too. Declare each state path once.");
            }
            else
            {
                seenState[state.Path] = cli.Id;
            }
        }

        foreach (var (name, value) in cli.Environment)
        {
            if (!EnvironmentName().IsMatch(name))
            {
                errors.Add($"{path}.environment: '{name}' is not a valid variable name. Use letters, digits and '_', not starting with a digit.");
            }

            if (value.Any(char.IsControl))
            {
                errors.Add($"{path}.environment.{name}: {Quote(value)} contains a control character. Use one line of text.");
            }
        }

        if (cli.Policy is { } policy)
        {
            ValidatePolicy(errors, $"{path}.policy", policy);
        }
    }

    private static void ValidateAptPackages(List<string> errors, IReadOnlyList<string> packages)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < packages.Count; index++)
        {
            var package = packages[index];
            if (!DebianPackageName().IsMatch(package))
            {
                errors.Add($"$.aptPackages[{index}]: {Quote(package)} is not a valid Debian package name. Use lower-case letters, digits, '+', '-' and '.', starting with a letter or digit, such as 'tini'.");
            }
            else if (!seen.Add(package))
            {
                errors.Add($"$.aptPackages[{index}]: '{package}' is listed twice. List each package once.");
            }
        }
    }

    // The settings variables and the version variable reach the entrypoint as names of environment variables, so
    // each must be a valid name, used once in the image, and not one the entrypoint itself reads.
    private static void ValidateRuntimeVariables(List<string> errors, string path, CliDefinition cli, Dictionary<string, string> seenVariables)
    {
        if (cli.Settings is { } settings)
        {
            if (!StatePathPattern().IsMatch(settings.Path))
            {
                errors.Add($"{path}.settings.path: '{settings.Path}' is invalid. Use a path under the home folder such as '~/.claude/settings.json'.");
            }
            else if (!cli.State.Any(state => state.Kind == StatePathKind.Directory && settings.Path.StartsWith(state.Path + "/", StringComparison.Ordinal)))
            {
                errors.Add($"{path}.settings.path: '{settings.Path}' is not inside a directory state path of '{cli.Id}'. Declare its folder under state, so that the file survives re-creation of the container.");
            }

            if (!SettingsKeyPattern().IsMatch(settings.Key))
            {
                errors.Add($"{path}.settings.key: {Quote(settings.Key)} is invalid. Use letters, digits, '_' or '-', such as 'env'.");
            }

            if (settings.Variables.Count == 0)
            {
                errors.Add($"{path}.settings.variables: the list is empty. Name at least one environment variable, or remove settings.");
            }

            for (var index = 0; index < settings.Variables.Count; index++)
            {
                ValidateRuntimeVariable(errors, $"{path}.settings.variables[{index}]", cli.Id, settings.Variables[index], seenVariables);
            }
        }

        if (cli.VersionVariable is { } versionVariable)
        {
            ValidateRuntimeVariable(errors, $"{path}.versionVariable", cli.Id, versionVariable, seenVariables);
        }
    }

    private static void ValidateRuntimeVariable(List<string> errors, string path, string cliId, string name, Dictionary<string, string> seenVariables)
    {
        if (!EnvironmentName().IsMatch(name))
        {
            errors.Add($"{path}: {Quote(name)} is not a valid variable name. Use letters, digits and '_', not starting with a digit.");
        }
        else if (name.EndsWith("_FILE", StringComparison.Ordinal))
        {
            errors.Add($"{path}: '{name}' ends with '_FILE', which the entrypoint reads as the path of a secret file for '{name[..^5]}'. Name the variable without the suffix.");
        }
        else if (ReservedVariables.Contains(name) || name.StartsWith("HAGI_", StringComparison.Ordinal))
        {
            errors.Add($"{path}: '{name}' is a variable the entrypoint or the shell reads itself. Use another name.");
        }
        else if (seenVariables.TryGetValue(name, out var owner))
        {
            errors.Add($"{path}: '{name}' is used by '{owner}' too. Use each runtime variable once in an image.");
        }
        else
        {
            seenVariables[name] = cliId;
        }
    }

    private static readonly HashSet<string> ReservedVariables = new(StringComparer.Ordinal)
    {
        "PUID", "PGID", "HOME", "PATH", "USER", "LOGNAME", "SHELL", "NODE_EXTRA_CA_CERTS",
    };

    private static void ValidateSpec(List<string> errors, string path, string spec)
    {
        var problem = HagiImages.Npm.NpmSpec.FindProblem(spec);
        if (string.IsNullOrWhiteSpace(spec))
        {
            errors.Add($"{path}: the version spec is empty. Use an exact version, a range such as '^1.2.0', or a dist-tag such as 'latest'.");
        }
        else if (problem is not null)
        {
            errors.Add($"{path}: '{spec}' is not a valid npm version spec ({problem}). Use an exact version, a range such as '^1.2.0', or a dist-tag such as 'latest'.");
        }
    }

    private static void ValidateId(List<string> errors, string path, int id)
    {
        if (id is < 1 or > 65534)
        {
            errors.Add($"{path}: {id} is out of range. Use a whole number from 1 to 65534; 0 would run the CLIs as root.");
        }
    }

    private static void ValidatePolicy(List<string> errors, string path, ReleasePolicy policy)
    {
        if (policy.MinimumReleaseAgeDays is < 0 or > 3650 || double.IsNaN(policy.MinimumReleaseAgeDays))
        {
            errors.Add($"{path}.minimumReleaseAgeDays: {policy.MinimumReleaseAgeDays} is out of range. Use a number of days from 0 to 3650.");
        }
    }

    // Shows a value in single quotes with JSON escapes, so that a newline or a tab is visible in the message.
    private static string Quote(string value) =>
        $"'{JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}'";

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._/:-]*(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImageReferencePattern();

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserNamePattern();

    [GeneratedRegex("^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")]
    private static partial Regex NpmPackageName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex ExecutablePattern();

    [GeneratedRegex("^[A-Za-z0-9._=/:-]+$")]
    private static partial Regex ArgumentPattern();

    // Each part is a file name: '.' and '..' are rejected, so the path stays below the home folder.
    [GeneratedRegex(@"^~(/(?!\.\.?(/|$))[A-Za-z0-9._-]+)+$")]
    private static partial Regex StatePathPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();

    // Debian policy: at least two characters of lower-case letters, digits, '+', '-' and '.', starting with a
    // letter or digit.
    [GeneratedRegex("^[a-z0-9][a-z0-9+.-]+$")]
    private static partial Regex DebianPackageName();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex SettingsKeyPattern();
}
