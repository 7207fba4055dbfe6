using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using HagiImages.Pipeline;
using Serilog;

namespace HagiImages.BaseImage;

/// <summary>
/// A temporary folder for a root file system. Disposal unmounts what debootstrap may have left mounted inside it
/// (such as <c>proc</c> or <c>sys</c>) and only then deletes it, so that no deletion reaches a host file system.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RootfsFolder : IAsyncDisposable
{
    private readonly ILogger logger;

    private RootfsFolder(string path, ILogger logger)
    {
        Path = path;
        this.logger = logger;
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Path { get; }

    /// <summary>Creates a new folder below <paramref name="parent"/>, or below the system temporary folder when null.</summary>
    public static RootfsFolder Create(string? parent, string prefix, ILogger logger)
    {
        var root = System.IO.Path.GetFullPath(parent ?? System.IO.Path.GetTempPath());
        Directory.CreateDirectory(root);
        var path = System.IO.Path.Combine(root, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new RootfsFolder(path, logger);
    }

    /// <summary>Returns the mount points at or below <paramref name="folder"/>, deepest first, from <c>/proc/self/mountinfo</c>.</summary>
    public static IReadOnlyList<string> FindMounts(string folder)
    {
        var root = System.IO.Path.GetFullPath(folder).TrimEnd('/');
        return File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(mountPoint => mountPoint == root || mountPoint.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(mountPoint => mountPoint.Length)
            .ToList();
    }

    /// <summary>
    /// Unmounts everything below the folder and deletes it.
    /// </summary>
    /// <exception cref="PipelineException">A mount point could not be unmounted; the folder is then left in place.</exception>
    public async ValueTask DisposeAsync()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }

        foreach (var mountPoint in FindMounts(Path))
        {
            if (await UnmountAsync(mountPoint, lazy: false).ConfigureAwait(false) != 0)
            {
                await UnmountAsync(mountPoint, lazy: true).ConfigureAwait(false);
            }
        }

        var remaining = FindMounts(Path);
        if (remaining.Count > 0)
        {
            throw new PipelineException(
                $"The temporary root file system {Path} still has mounts ({string.Join(", ", remaining)}); it was not deleted. "
                + "Unmount them with 'umount' and delete the folder by hand.");
        }

        Directory.Delete(Path, recursive: true);
        logger.Debug("Deleted temporary folder {Path}", Path);
    }

    private async Task<int> UnmountAsync(string mountPoint, bool lazy)
    {
        var startInfo = new ProcessStartInfo("umount") { UseShellExecute = false, RedirectStandardError = true };
        if (lazy)
        {
            startInfo.ArgumentList.Add("-l");
        }

        startInfo.ArgumentList.Add(mountPoint);
        using var process = Process.Start(startInfo) ?? throw new PipelineException("umount could not be started.");
        var error = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        logger.Information("Unmounted {MountPoint} left below the root file system (exit code {ExitCode}) {Error}", mountPoint, process.ExitCode, error.Trim());
        return process.ExitCode;
    }

    /// <summary>Decodes the octal escapes (such as <c>\040</c> for a space) of a mountinfo field.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var result = new StringBuilder();
        for (var index = 0; index < field.Length; index++)
        {
            if (field[index] == '\\' && index + 3 < field.Length && IsOctal(field.AsSpan(index + 1, 3)))
            {
                result.Append((char)Convert.ToInt32(field.Substring(index + 1, 3), 8));
                index += 3;
            }
            else
            {
                result.Append(field[index]);
            }
        }

        return result.ToString();
    }

    private static bool IsOctal(ReadOnlySpan<char> digits)
    {
        foreach (var digit in digits)
        {
            if (digit is < '0' or > '7')
            {
                return false;
            }
        }

        return true;
    }
}
