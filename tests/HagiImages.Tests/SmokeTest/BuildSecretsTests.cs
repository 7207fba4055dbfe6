using System.Text;
using HagiImages.Resolve;
using HagiImages.SmokeTest;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.SmokeTest;

public sealed class BuildSecretsTests
{
    private const string Npmrc = """
        registry=https://registry.example.test/
        @corp:registry=https://npm.corp.test/
        //npm.corp.test/:_authToken=npm_FakeToken0123456789
        //registry.example.test/:_authToken=short
        """;

    [Fact]
    public void FromBuildSettings_NpmrcTokens_Collected()
    {
        var secrets = BuildSecrets.FromBuildSettings(new BuildSettings { Npmrc = Npmrc }, "/nonexistent/bundle.crt");

        Assert.Equal(["npm_FakeToken0123456789"], secrets.Values);
    }

    [Fact]
    public void FromBuildSettings_SystemCertificates_Skipped()
    {
        using var temporary = new TemporaryDirectory();
        var system = Path.Combine(temporary.Path, "system.crt");
        File.WriteAllText(system, Certificate('A'));

        var secrets = BuildSecrets.FromBuildSettings(new BuildSettings { CaBundle = Certificate('A') + Certificate('B') }, system);

        var line = Assert.Single(secrets.Values);
        Assert.Equal(new string('B', 64), line);
    }

    [Fact]
    public void FromBuildSettings_SystemBundleItself_NothingSearched()
    {
        using var temporary = new TemporaryDirectory();
        var system = Path.Combine(temporary.Path, "system.crt");
        File.WriteAllText(system, Certificate('A'));

        var secrets = BuildSecrets.FromBuildSettings(new BuildSettings { CaBundle = Certificate('A') }, system);

        Assert.Empty(secrets.Values);
    }

    [Fact]
    public void ToString_HidesValues()
    {
        var secrets = new BuildSecrets(["npm_FakeToken0123456789"]);

        Assert.DoesNotContain("FakeToken", secrets.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindSecret_SplitAcrossReads_Found()
    {
        var scanner = new SecretScanner(new BuildSecrets(["npm_FakeToken0123456789"]));
        var content = new byte[3 * 1024 * 1024];
        var token = Encoding.UTF8.GetBytes("npm_FakeToken0123456789");
        token.CopyTo(content, (1024 * 1024) - 5);

        var found = await scanner.FindSecretAsync(new MemoryStream(content), CancellationToken.None);

        Assert.Equal(0, found);
    }

    [Fact]
    public async Task FindSecret_Absent_Null()
    {
        var scanner = new SecretScanner(new BuildSecrets(["npm_FakeToken0123456789"]));

        var found = await scanner.FindSecretAsync(new MemoryStream(new byte[2 * 1024 * 1024]), CancellationToken.None);

        Assert.Null(found);
    }

    [Theory]
    [InlineData("opt/hagi/build/npmrc", true)]
    [InlineData("opt/hagi/build/", true)]
    [InlineData("./etc/ssl/ca-bundle.crt", true)]
    [InlineData("home/hagicode/.npmrc", true)]
    [InlineData("usr/local/etc/npmrc", true)]
    [InlineData("opt/hagi/clis/codex/node_modules/x/.npmrc", false)]
    [InlineData("opt/hagi/.wh.build", false)]
    [InlineData("opt/hagi/clis/codex/package.json", false)]
    public void DescribeBuildFile_Path_Classified(string entryName, bool isBuildFile)
    {
        Assert.Equal(isBuildFile, SecretScanner.DescribeBuildFile(entryName) is not null);
    }

    // A fake certificate whose base64 body is three 64-character lines of one letter.
    private static string Certificate(char letter) =>
        $"-----BEGIN CERTIFICATE-----\n{string.Join('\n', Enumerable.Repeat(new string(letter, 64), 3))}\n-----END CERTIFICATE-----\n";
}
