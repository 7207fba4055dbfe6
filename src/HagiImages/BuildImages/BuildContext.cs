using System.Formats.Tar;
using System.Text;
using HagiImages.Pipeline;

namespace HagiImages.BuildImages;

/// <summary>
/// The files sent to the engine for a build: a folder on disk, filtered by its <c>.dockerignore</c>, plus files
/// that exist only in memory (such as a CA bundle or an <c>.npmrc</c>). The tar stream is deterministic: entries
/// in ordinal path order, owned by 0:0, with a fixed modification time.
/// </summary>
public sealed class BuildContext
{
    private const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static readonly DateTimeOffset FixedModificationTime = DateTimeOffset.UnixEpoch;

    private readonly string? directory;
    private readonly DockerIgnore ignore;
    private readonly HashSet<string> alwaysIncluded;
    private readonly SortedDictionary<string, (byte[]? Content, string? SourcePath, UnixFileMode Mode)> extraFiles = new(StringComparer.Ordinal);

    private BuildContext(string? directory, DockerIgnore ignore, IEnumerable<string> alwaysIncluded)
    {
        this.directory = directory;
        this.ignore = ignore;
        this.alwaysIncluded = new HashSet<string>(alwaysIncluded, StringComparer.Ordinal);
    }

    /// <summary>Creates a context that holds only the files added with <see cref="AddFile(string, byte[], UnixFileMode)"/>.</summary>
    public static BuildContext Empty() => new(null, DockerIgnore.Empty, []);

    /// <summary>
    /// Creates a context from <paramref name="directory"/>, honouring its <c>.dockerignore</c>. The Dockerfile
    /// (<paramref name="dockerfile"/>, relative to the folder) and <c>.dockerignore</c> are sent even when the
    /// patterns exclude them, as the Docker CLI does.
    /// </summary>
    /// <param name="directory">The folder to send.</param>
    /// <param name="dockerfile">The Dockerfile, relative to the folder.</param>
    /// <param name="extraIgnorePatterns">Patterns in <c>.dockerignore</c> syntax applied after those of the file, so
    /// they win over it.</param>
    /// <exception cref="PipelineException">The folder does not exist.</exception>
    public static BuildContext FromDirectory(string directory, string dockerfile = "Dockerfile", IEnumerable<string>? extraIgnorePatterns = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var fullPath = Path.GetFullPath(directory);
        if (!Directory.Exists(fullPath))
        {
            throw new PipelineException($"The build context folder {fullPath} does not exist.");
        }

        var ignoreFile = Path.Combine(fullPath, ".dockerignore");
        var patterns = File.Exists(ignoreFile) ? File.ReadAllText(ignoreFile) : "";
        var ignore = DockerIgnore.Parse(string.Join('\n', [patterns, .. extraIgnorePatterns ?? []]));
        return new BuildContext(fullPath, ignore, [NormalizePath(dockerfile), ".dockerignore"]);
    }

    /// <summary>
    /// Adds a file that exists only in the context. It replaces a file of the same path from the folder and is
    /// sent even when <c>.dockerignore</c> matches it.
    /// </summary>
    public BuildContext AddFile(string path, byte[] content, UnixFileMode mode = DefaultFileMode)
    {
        ArgumentNullException.ThrowIfNull(content);
        extraFiles[NormalizePath(path)] = (content, null, mode);
        return this;
    }

    /// <summary>
    /// Adds the file at <paramref name="sourcePath"/> on disk under <paramref name="path"/>; it is read when the
    /// context is written. It replaces a file of the same path from the folder and is sent even when
    /// <c>.dockerignore</c> matches it.
    /// </summary>
    public BuildContext AddFileFromDisk(string path, string sourcePath, UnixFileMode mode = DefaultFileMode)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        extraFiles[NormalizePath(path)] = (null, Path.GetFullPath(sourcePath), mode);
        return this;
    }

    /// <summary>Adds a UTF-8 text file that exists only in the context.</summary>
    public BuildContext AddFile(string path, string content, UnixFileMode mode = DefaultFileMode) =>
        AddFile(path, Encoding.UTF8.GetBytes(content), mode);

    /// <summary>Returns the entry names in the order they are written; directories end with <c>/</c>.</summary>
    public IReadOnlyList<string> ListEntries() => CollectEntries().Select(entry => entry.Name).ToList();

    /// <summary>Writes the context as an uncompressed tar stream to <paramref name="destination"/>.</summary>
    public async Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var entry in CollectEntries())
        {
            cancellationToken.ThrowIfCancellationRequested();
            await WriteEntryAsync(writer, entry, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteEntryAsync(TarWriter writer, ContextEntry entry, CancellationToken cancellationToken)
    {
        var tarEntry = new PaxTarEntry(entry.Type, entry.Name)
        {
            Mode = entry.Mode,
            Uid = 0,
            Gid = 0,
            ModificationTime = FixedModificationTime,
        };
        if (entry.Type == TarEntryType.SymbolicLink)
        {
            tarEntry.LinkName = entry.LinkTarget!;
        }

        if (entry.Type != TarEntryType.RegularFile)
        {
            await writer.WriteEntryAsync(tarEntry, cancellationToken).ConfigureAwait(false);
            return;
        }

        var content = entry.Content is not null ? new MemoryStream(entry.Content) : (Stream)File.OpenRead(entry.SourcePath!);
        await using (content.ConfigureAwait(false))
        {
            tarEntry.DataStream = content;
            await writer.WriteEntryAsync(tarEntry, cancellationToken).ConfigureAwait(false);
        }
    }

    private List<ContextEntry> CollectEntries()
    {
        var entries = new SortedDictionary<string, ContextEntry>(StringComparer.Ordinal);
        if (directory is not null)
        {
            AddDirectoryEntries(directory, entries);
        }

        foreach (var (path, (content, sourcePath, mode)) in extraFiles)
        {
            entries[path] = new ContextEntry(path, TarEntryType.RegularFile, mode, sourcePath, content, null);
        }

        return entries.Values.ToList();
    }

    private void AddDirectoryEntries(string root, SortedDictionary<string, ContextEntry> entries)
    {
        foreach (var (info, relative) in FileTree.List(root))
        {
            if (ignore.IsExcluded(relative) && !alwaysIncluded.Contains(relative))
            {
                continue;
            }

            var mode = OperatingSystem.IsWindows() ? DefaultFileMode : info.UnixFileMode;
            if (info.LinkTarget is not null)
            {
                entries[relative] = new ContextEntry(relative, TarEntryType.SymbolicLink, mode, info.FullName, null, info.LinkTarget);
            }
            else if (info is DirectoryInfo)
            {
                entries[relative + "/"] = new ContextEntry(relative + "/", TarEntryType.Directory, mode, info.FullName, null, null);
            }
            else
            {
                entries[relative] = new ContextEntry(relative, TarEntryType.RegularFile, mode, info.FullName, null, null);
            }
        }
    }

    private static string NormalizePath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(segment => segment != ".").ToList();
        if (segments.Count == 0 || segments.Contains(".."))
        {
            throw new ArgumentException($"The context path '{path}' must name a file inside the context.", nameof(path));
        }

        return string.Join('/', segments);
    }

    private sealed record ContextEntry(
        string Name, TarEntryType Type, UnixFileMode Mode, string? SourcePath, byte[]? Content, string? LinkTarget);
}
