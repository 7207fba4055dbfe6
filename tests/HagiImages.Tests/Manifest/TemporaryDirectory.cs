namespace HagiImages.Tests.Manifest;

/// <summary>A folder under the system temporary folder that is deleted with everything in it on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("hagi-test-").FullName;
    }

    public string Path { get; }

    /// <summary>Copies a folder tree into this folder, keeping Unix file modes, and returns the copy's path.</summary>
    public string CopyTree(string source, string relativeTarget)
    {
        var target = System.IO.Path.Combine(Path, relativeTarget);
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            Directory.CreateDirectory(System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(copy, File.GetUnixFileMode(file));
            }
        }

        return target;
    }

    public void Dispose()
    {
        Directory.Delete(Path, recursive: true);
    }
}
