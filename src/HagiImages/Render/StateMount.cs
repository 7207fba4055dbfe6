using HagiImages.Manifest;
using HagiImages.Pipeline;

namespace HagiImages.Render;

/// <summary>
/// Where one state path of a CLI lives in the container. A directory is a named volume mounted at its own path.
/// A file cannot be a volume, so its volume is a folder under <c>~/.hagi/state</c> and the file's path in the
/// home folder is a symbolic link into it.
/// </summary>
public sealed record StateMount
{
    public required string CliId { get; init; }

    public required StatePathKind Kind { get; init; }

    /// <summary>Volume name in the compose file and in smoke tests, such as <c>ai-cli-claude-code-claude</c>.</summary>
    public required string Volume { get; init; }

    /// <summary>Absolute folder in the container where the volume is mounted.</summary>
    public required string Mount { get; init; }

    /// <summary>For a file: the absolute path of the link in the home folder; otherwise null.</summary>
    public string? Link { get; init; }

    /// <summary>For a file: the absolute path the link points to, inside <see cref="Mount"/>; otherwise null.</summary>
    public string? Target { get; init; }

    /// <summary>Lists the mounts of every state path of an image, in manifest order.</summary>
    /// <exception cref="PipelineException">Two state paths map to the same volume name.</exception>
    public static IReadOnlyList<StateMount> ForImage(ImageManifest manifest)
    {
        var home = HomeOf(manifest);
        var mounts = new List<StateMount>();
        var pathsByVolume = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cli in manifest.Clis)
        {
            foreach (var state in cli.State)
            {
                var relative = state.Path[2..];
                var slug = string.Join('-', relative.Split('/', '.', '_').Where(part => part.Length > 0)).ToLowerInvariant();
                var volume = $"{manifest.Name}-{cli.Id}-{slug}";

                // The slug drops '/', '.', '_' and letter case, so two different paths can share one volume name.
                if (!pathsByVolume.TryAdd(volume, state.Path))
                {
                    throw new PipelineException(
                        $"State paths '{pathsByVolume[volume]}' and '{state.Path}' of image '{manifest.Name}' both map to volume '{volume}'. Rename one of them in {System.IO.Path.Combine(manifest.Directory, ManifestLoader.ManifestFileName)}.");
                }
                if (state.Kind == StatePathKind.Directory)
                {
                    mounts.Add(new StateMount { CliId = cli.Id, Kind = state.Kind, Volume = volume, Mount = $"{home}/{relative}" });
                }
                else
                {
                    var mount = $"{home}/.hagi/state/{cli.Id}-{slug}";
                    mounts.Add(new StateMount
                    {
                        CliId = cli.Id,
                        Kind = state.Kind,
                        Volume = volume,
                        Mount = mount,
                        Link = $"{home}/{relative}",
                        Target = $"{mount}/{relative.Split('/')[^1]}",
                    });
                }
            }
        }

        return mounts;
    }

    /// <summary>Returns the home folder of the image user.</summary>
    public static string HomeOf(ImageManifest manifest) => $"/home/{manifest.User.Name}";
}
