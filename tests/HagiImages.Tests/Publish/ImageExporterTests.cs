using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json;
using HagiImages.Publish;

namespace HagiImages.Tests.Publish;

[Collection("docker")]
public sealed class ImageExporterTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("hagi-test-export-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Export_NoRegistry_ArchiveAndChecksum()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var image = await TestImage.CreateAsync(client);
        var outputDirectory = Path.Combine(directory, "artifacts", "publish");
        var request = new PublishRequest
        {
            SourceImage = image.Reference,
            Repository = image.Repository,
            Version = "1.0.0-rc.1",
            Revision = "1a2b3c4",
            OutputDirectory = outputDirectory,
        };

        var result = await PublishStage.RunAsync(client, request, new CollectingSink().CreateLogger());

        var archive = result.Archive;
        Assert.NotNull(archive);
        Assert.Empty(result.Pushed);
        Assert.Equal(Path.Combine(outputDirectory, "ai-cli-1.0.0-rc.1.tar"), archive.ArchivePath);
        Assert.Equal(archive.ArchivePath + ".sha256", archive.ChecksumPath);
        Assert.Equal(new FileInfo(archive.ArchivePath).Length, archive.SizeBytes);
        Assert.Equal($"{archive.Sha256}  ai-cli-1.0.0-rc.1.tar\n", File.ReadAllText(archive.ChecksumPath));
        Assert.Equal(["ai-cli-1.0.0-rc.1.tar", "ai-cli-1.0.0-rc.1.tar.sha256"], Directory.GetFiles(outputDirectory).Select(Path.GetFileName).Order());
        Assert.Contains("docker load -i", result.Summary);
        Assert.Contains("sha256sum -c", result.Summary);

        var (exitCode, output) = await RunAsync("sha256sum", outputDirectory, "-c", Path.GetFileName(archive.ChecksumPath));
        Assert.Equal(0, exitCode);
        Assert.Contains("ai-cli-1.0.0-rc.1.tar: OK", output);

        var repoTags = await ReadRepoTagsAsync(archive.ArchivePath);
        Assert.Equal([$"{image.Repository}:1.0.0-rc.1", $"{image.Repository}:sha-1a2b3c4"], repoTags.Order());
    }

    [Fact]
    public async Task Export_Twice_ReplacesFiles()
    {
        using var client = await DockerTestEngine.ConnectAsync();
        if (client is null)
        {
            return;
        }

        await using var first = await TestImage.CreateAsync(client);
        await using var second = await TestImage.CreateAsync(client);
        var outputDirectory = Path.Combine(directory, "out");

        var firstResult = await PublishStage.RunAsync(client, Request(first, outputDirectory, second.Repository), new CollectingSink().CreateLogger());
        var secondResult = await PublishStage.RunAsync(client, Request(second, outputDirectory, second.Repository), new CollectingSink().CreateLogger());

        Assert.NotEqual(firstResult.Archive!.Sha256, secondResult.Archive!.Sha256);
        Assert.Equal($"{secondResult.Archive.Sha256}  ai-cli-2.0.0.tar\n", File.ReadAllText(secondResult.Archive.ChecksumPath));
        var (exitCode, _) = await RunAsync("sha256sum", outputDirectory, "-c", "ai-cli-2.0.0.tar.sha256");
        Assert.Equal(0, exitCode);
    }

    private static PublishRequest Request(TestImage image, string outputDirectory, string repository) => new()
    {
        SourceImage = image.Reference,
        Repository = repository,
        Version = "2.0.0",
        Revision = "1a2b3c4",
        OutputDirectory = outputDirectory,
    };

    private static async Task<List<string>> ReadRepoTagsAsync(string archivePath)
    {
        await using var file = File.OpenRead(archivePath);
        await using var reader = new TarReader(file);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            if (entry.Name == "manifest.json" && entry.DataStream is not null)
            {
                using var manifest = await JsonDocument.ParseAsync(entry.DataStream);
                return manifest.RootElement.EnumerateArray()
                    .SelectMany(item => item.GetProperty("RepoTags").EnumerateArray())
                    .Select(tag => tag.GetString()!)
                    .ToList();
            }
        }

        return [];
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output + error);
    }
}
