namespace HagiImages.BuildImages;

/// <summary>
/// Lists a folder tree without following symbolic links. The recursive enumeration of
/// <see cref="DirectoryInfo.EnumerateFileSystemInfos(string, EnumerationOptions)"/> descends into links to
/// directories, which would pull in files from outside the tree (a root file system links <c>var/run</c> to
/// <c>/run</c>).
/// </summary>
internal static class FileTree
{
    /// <summary>
    /// Returns every file, directory and link below <paramref name="root"/> with its path relative to the root
    /// (forward slashes), in ordinal path order. Links are returned but not entered. <paramref name="enter"/> may
    /// skip a directory's content by returning false.
    /// </summary>
    public static List<(FileSystemInfo Info, string RelativePath)> List(string root, Func<string, bool>? enter = null)
    {
        var result = new List<(FileSystemInfo, string)>();
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false };
        var pending = new Stack<(DirectoryInfo Directory, string Relative)>();
        pending.Push((new DirectoryInfo(root), ""));
        while (pending.Count > 0)
        {
            var (directory, relative) = pending.Pop();
            foreach (var info in directory.EnumerateFileSystemInfos("*", options))
            {
                var path = relative.Length == 0 ? info.Name : $"{relative}/{info.Name}";
                result.Add((info, path));
                if (info is DirectoryInfo child && info.LinkTarget is null && (enter is null || enter(path)))
                {
                    pending.Push((child, path));
                }
            }
        }

        result.Sort((left, right) => string.CompareOrdinal(left.Item2, right.Item2));
        return result;
    }
}
