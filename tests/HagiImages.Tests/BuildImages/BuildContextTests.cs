using System.Formats.Tar;
using System.Text;
using HagiImages.BuildImages;

namespace HagiImages.Tests.BuildImages;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuildContextTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("hagi-test-context-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Context_HonoursDockerignore()
    {
        Write("Dockerfile", "FROM scratch\n");
        Write(".dockerignore", "# build output\n*.log\n!keep.log\nsecret/\n**/tmp\nDockerfile\n");
        Write("app.js", "1");
        Write("debug.log", "x");
        Write("keep.log", "x");
        Write("secret/token", "x");
        Write("src/tmp/cache", "x");
        Write("src/main.js", "x");

        var entries = BuildContext.FromDirectory(folder).ListEntries();

        Assert.Equal([".dockerignore", "Dockerfile", "app.js", "keep.log", "src/", "src/main.js"], entries);
    }

    [Fact]
    public void Context_ExtraFileReplacesAndBypassesIgnore()
    {
        Write("Dockerfile", "FROM scratch\n");
        Write(".dockerignore", ".npmrc\n");
        Write("config.json", "from-disk");

        var entries = BuildContext.FromDirectory(folder)
            .AddFile(".npmrc", "//registry/:_authToken=x")
            .AddFile("config.json", "from-memory")
            .ListEntries();

        Assert.Equal([".dockerignore", ".npmrc", "Dockerfile", "config.json"], entries);
    }

    [Fact]
    public void Context_ExtraIgnorePatternsWin()
    {
        Write("Dockerfile", "FROM scratch\n");
        Write(".dockerignore", "!build-only/npmrc\n");
        Write("build-only/.gitignore", "*\n");
        Write("build-only/npmrc", "//registry/:_authToken=x");

        var entries = BuildContext.FromDirectory(folder, extraIgnorePatterns: ["build-only/*", "!build-only/.gitignore"]).ListEntries();

        Assert.Equal([".dockerignore", "Dockerfile", "build-only/", "build-only/.gitignore"], entries);
    }

    [Fact]
    public async Task Context_TarIsDeterministic()
    {
        Write("Dockerfile", "FROM scratch\n");
        Write("b/file", "b");
        Write("a", "a");

        var first = await WriteAsync(BuildContext.FromDirectory(folder).AddFile("ca.pem", "pem"));
        File.SetLastWriteTimeUtc(Path.Combine(folder, "a"), DateTime.UtcNow.AddDays(-3));
        var second = await WriteAsync(BuildContext.FromDirectory(folder).AddFile("ca.pem", "pem"));

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Context_TarKeepsContentAndMode()
    {
        Write("run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(folder, "run.sh"), (UnixFileMode)0x1ED);

        var archive = await WriteAsync(BuildContext.FromDirectory(folder).AddFile("conf/ca.pem", "pem", (UnixFileMode)0x180));
        var entries = await ReadAsync(archive);

        Assert.Equal("pem", entries["conf/ca.pem"].Content);
        Assert.Equal((UnixFileMode)0x180, entries["conf/ca.pem"].Mode);
        Assert.Equal((UnixFileMode)0x1ED, entries["run.sh"].Mode);
        Assert.Equal(0, entries["run.sh"].Uid);
    }

    [Fact]
    public void Context_KeepsLinkWithoutFollowing()
    {
        var outside = Directory.CreateTempSubdirectory("hagi-test-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "host-file"), "x");
            Directory.CreateSymbolicLink(Path.Combine(folder, "linked"), outside);

            var entries = BuildContext.FromDirectory(folder).ListEntries();

            Assert.Equal(["linked"], entries);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task Context_AddsFileFromDisk()
    {
        Write("Dockerfile", "FROM scratch\n");
        Write(".dockerignore", "npm/*/tarballs\n");
        Write("npm/tool/tarballs/tool-1.0.0.tgz", "from the folder");
        var source = Path.Combine(folder, "downloaded.tgz");
        byte[] content = [0x1F, 0x8B, 0x00, 0xFF, 0x0A, 0x0D];
        File.WriteAllBytes(source, content);

        var context = BuildContext.FromDirectory(folder)
            .AddFileFromDisk("npm/tool/tarballs/tool-1.0.0.tgz", source, (UnixFileMode)0x1A4);
        var entries = await ReadBytesAsync(await WriteAsync(context));

        Assert.Equal(content, entries["npm/tool/tarballs/tool-1.0.0.tgz"].Content);
        Assert.Equal((UnixFileMode)0x1A4, entries["npm/tool/tarballs/tool-1.0.0.tgz"].Mode);
        Assert.Equal(TarEntryType.RegularFile, entries["npm/tool/tarballs/tool-1.0.0.tgz"].Type);
    }

    [Fact]
    public async Task Context_ReadsDiskFileWhenWritten()
    {
        var source = Path.Combine(folder, "late.bin");
        File.WriteAllText(source, "before");
        var context = BuildContext.Empty().AddFileFromDisk("late.bin", source);
        File.WriteAllText(source, "after");

        var entries = await ReadBytesAsync(await WriteAsync(context));

        Assert.Equal("after"u8.ToArray(), entries["late.bin"].Content);
    }

    [Fact]
    public async Task Context_MissingDiskFileFailsOnWrite()
    {
        var context = BuildContext.Empty().AddFileFromDisk("gone.tgz", Path.Combine(folder, "gone.tgz"));

        await Assert.ThrowsAsync<FileNotFoundException>(() => WriteAsync(context));
    }

    [Fact]
    public void Context_RejectsEmptySourcePath()
    {
        Assert.Throws<ArgumentException>(() => BuildContext.Empty().AddFileFromDisk("a.tgz", ""));
    }

    [Fact]
    public void Context_RejectsPathOutside()
    {
        Assert.Throws<ArgumentException>(() => BuildContext.Empty().AddFile("../escape", "x"));
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static async Task<byte[]> WriteAsync(BuildContext context)
    {
        using var buffer = new MemoryStream();
        await context.WriteToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task<Dictionary<string, (byte[] Content, UnixFileMode Mode, TarEntryType Type)>> ReadBytesAsync(byte[] archive)
    {
        var result = new Dictionary<string, (byte[], UnixFileMode, TarEntryType)>();
        await using var reader = new TarReader(new MemoryStream(archive));
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var content = new MemoryStream();
            if (entry.DataStream is not null)
            {
                await entry.DataStream.CopyToAsync(content);
            }

            result[entry.Name] = (content.ToArray(), entry.Mode, entry.EntryType);
        }

        return result;
    }

    private static async Task<Dictionary<string, (string Content, UnixFileMode Mode, int Uid)>> ReadAsync(byte[] archive)
    {
        var result = new Dictionary<string, (string, UnixFileMode, int)>();
        await using var reader = new TarReader(new MemoryStream(archive));
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            var content = "";
            if (entry.DataStream is not null)
            {
                using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                content = await text.ReadToEndAsync();
            }

            result[entry.Name] = (content, entry.Mode, entry.Uid);
        }

        return result;
    }
}
