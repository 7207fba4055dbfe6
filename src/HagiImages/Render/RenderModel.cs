using HagiImages.Manifest;
using HagiImages.Resolve;
using Scriban.Runtime;

namespace HagiImages.Render;

/// <summary>
/// Builds the variables the templates see from a manifest and its lock file. Names are snake_case, and every
/// value has passed the manifest validator or the lock file checks before it gets here.
/// </summary>
internal static class RenderModel
{
    public const string CliRoot = "/opt/hagi/clis";

    /// <summary>Folder in a CLI's state volume that holds the versions installed at start, one subfolder each.</summary>
    public const string OverrideFolder = ".hagi-versions";

    public static ScriptObject Create(ImageManifest manifest, ImageLock imageLock, string composeFile)
    {
        var home = StateMount.HomeOf(manifest);
        var clis = new ScriptArray();
        var pathEntries = new List<string>();
        var environment = new ScriptArray();
        var mounts = StateMount.ForImage(manifest);
        foreach (var cli in manifest.Clis)
        {
            var pin = imageLock.Clis[cli.Id];
            var prefix = $"{CliRoot}/{cli.Id}";
            pathEntries.Add($"{prefix}/bin");
            clis.Add(new ScriptObject
            {
                ["id"] = cli.Id,
                ["package"] = cli.Package,
                ["version"] = pin.Version,
                ["integrity"] = pin.Integrity,
                ["stage"] = $"cli-{cli.Id}",
                ["prefix"] = prefix,
                ["executables"] = new ScriptArray(cli.Executables),
                ["version_command"] = new ScriptArray(cli.EffectiveVersionCommand()),
                ["version_variable"] = cli.VersionVariable ?? "",
                ["override_root"] = OverrideRoot(cli, mounts, home),
                ["settings"] = CreateSettings(cli, home),
            });
            foreach (var (name, value) in cli.Environment.OrderBy(entry => entry.Key, StringComparer.Ordinal))
            {
                environment.Add(new ScriptObject { ["name"] = name, ["value"] = QuoteForDockerfile(value) });
            }
        }

        pathEntries.Add($"{home}/.npm-global/bin");
        pathEntries.AddRange(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]);

        var state = new ScriptArray();
        foreach (var mount in mounts)
        {
            state.Add(new ScriptObject
            {
                ["cli_id"] = mount.CliId,
                ["kind"] = mount.Kind == StatePathKind.File ? "file" : "directory",
                ["volume"] = mount.Volume,
                ["mount"] = mount.Mount,
                ["link"] = mount.Link ?? "",
                ["target"] = mount.Target ?? "",
            });
        }

        return new ScriptObject
        {
            ["image"] = new ScriptObject
            {
                ["name"] = manifest.Name,
                ["repository"] = manifest.Repository,
                ["description"] = EscapeForDockerfile(manifest.Description),
                ["user"] = new ScriptObject
                {
                    ["name"] = manifest.User.Name,
                    ["uid"] = manifest.User.Uid,
                    ["gid"] = manifest.User.Gid,
                    ["home"] = home,
                },
                ["apt_packages"] = string.Join(' ', manifest.AptPackages),
                ["node"] = new ScriptObject
                {
                    ["version"] = imageLock.Node.Version,
                    ["npm_version"] = imageLock.Npm.Version,
                    ["registry_image"] = manifest.Node.RegistryImage,
                },
            },
            ["clis"] = clis,
            ["state"] = state,
            ["environment"] = environment,
            ["path"] = string.Join(':', pathEntries),
            ["compose_file"] = composeFile,
        };
    }

    // A version installed at start goes onto the CLI's first directory volume, so that the next container on the
    // same volumes finds it. A CLI without one gets a folder in the home folder, which lasts as long as the container.
    private static string OverrideRoot(CliDefinition cli, IReadOnlyList<StateMount> mounts, string home)
    {
        var volume = mounts.FirstOrDefault(mount => mount.CliId == cli.Id && mount.Kind == StatePathKind.Directory);
        return volume is null ? $"{home}/.hagi/versions/{cli.Id}" : $"{volume.Mount}/{OverrideFolder}";
    }

    private static ScriptObject? CreateSettings(CliDefinition cli, string home) =>
        cli.Settings is not { } settings
            ? null
            : new ScriptObject
            {
                ["path"] = $"{home}/{settings.Path[2..]}",
                ["key"] = settings.Key,
                ["variables"] = new ScriptArray(settings.Variables),
            };

    // The template writes ENV values as they come, so they carry their own double quotes.
    private static string QuoteForDockerfile(string value) => "\"" + EscapeForDockerfile(value) + "\"";

    // Escapes text for a double-quoted ENV or LABEL value, where Docker expands '$' and reads '\' as an escape.
    private static string EscapeForDockerfile(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal);
}
