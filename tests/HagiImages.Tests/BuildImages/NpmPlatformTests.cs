using System.Text.Json.Nodes;
using HagiImages.BuildImages;

namespace HagiImages.Tests.BuildImages;

/// <summary>
/// The expected values were checked by hand against <c>checkPlatform</c> of npm-install-checks 8.0.0 (inside
/// npm 11.19.1) with the environment <c>{ os: "linux", cpu: "x64", libc: "glibc" }</c>.
/// </summary>
public sealed class NpmPlatformTests
{
    private static readonly NpmPlatform LinuxX64 = new("linux", "x64", "glibc");

    [Theory]
    [InlineData("""{ "os": ["linux"] }""", true)]
    [InlineData("""{ "os": ["darwin", "win32"] }""", false)]
    [InlineData("""{ "os": ["!win32", "!darwin"] }""", true)]
    [InlineData("""{ "os": ["!win32", "!linux"] }""", false)]
    [InlineData("""{ "os": ["!win32", "linux"] }""", true)]
    [InlineData("""{ "os": ["!win32", "darwin"] }""", false)]
    [InlineData("""{ "cpu": ["any"] }""", true)]
    [InlineData("""{ "cpu": ["any", "arm64"] }""", false)]
    [InlineData("""{ "cpu": [] }""", true)]
    [InlineData("""{ }""", true)]
    [InlineData("""{ "os": null }""", true)]
    [InlineData("""{ "cpu": "x64" }""", true)]
    [InlineData("""{ "cpu": "arm64" }""", false)]
    [InlineData("""{ "cpu": "!arm64" }""", true)]
    [InlineData("""{ "cpu": "" }""", true)]
    [InlineData("""{ "libc": ["glibc"] }""", true)]
    [InlineData("""{ "libc": ["musl"] }""", false)]
    [InlineData("""{ "libc": "musl" }""", false)]
    [InlineData("""{ "libc": ["!musl"] }""", true)]
    [InlineData("""{ "os": ["linux"], "cpu": ["x64"], "libc": ["musl"] }""", false)]
    [InlineData("""{ "os": ["linux"], "cpu": ["arm64"], "libc": ["glibc"] }""", false)]
    [InlineData("""{ "os": ["linux"], "cpu": ["x64"], "libc": ["glibc"] }""", true)]
    public void Accepts_MatchesNpm(string entry, bool expected)
    {
        Assert.Equal(expected, LinuxX64.Accepts(JsonNode.Parse(entry)));
    }

    [Fact]
    public void Accepts_Arm64Glibc()
    {
        var platform = new NpmPlatform("linux", "arm64", "glibc");

        Assert.True(platform.Accepts(JsonNode.Parse("""{ "os": ["linux"], "cpu": ["arm64"], "libc": ["glibc"] }""")));
        Assert.False(platform.Accepts(JsonNode.Parse("""{ "os": ["linux"], "cpu": ["arm64"], "libc": ["musl"] }""")));
    }

    [Fact]
    public void Accepts_MissingEntry()
    {
        Assert.True(LinuxX64.Accepts(null));
    }

    // npm detects the C library only on Linux (npm-install-checks' libc() returns undefined elsewhere), so on another
    // system the platform's libc is never compared and a package that declares any libc list is rejected.
    [Theory]
    [InlineData("""{ }""", true)]
    [InlineData("""{ "os": ["darwin"] }""", true)]
    [InlineData("""{ "libc": ["glibc"] }""", false)]
    [InlineData("""{ "libc": ["musl"] }""", false)]
    [InlineData("""{ "libc": [] }""", false)]
    [InlineData("""{ "libc": "" }""", true)]
    public void Accepts_LibcOnlyOnLinux(string entry, bool expected)
    {
        var darwin = new NpmPlatform("darwin", "arm64", "glibc");

        Assert.Equal(expected, darwin.Accepts(JsonNode.Parse(entry)));
    }

    [Theory]
    [InlineData("x86_64", "x64")]
    [InlineData("amd64", "x64")]
    [InlineData("aarch64", "arm64")]
    [InlineData("arm64", "arm64")]
    public void DebianOn_MapsArchitecture(string engineArchitecture, string cpu)
    {
        var platform = NpmPlatform.DebianOn(engineArchitecture);

        Assert.Equal("linux", platform.Os);
        Assert.Equal(cpu, platform.Cpu);
        Assert.Equal("glibc", platform.Libc);
    }
}
