using HagiImages.Npm;
using HagiImages.Pipeline;

namespace HagiImages.Tests.Npm;

public sealed class NpmConfigTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hagi-npmrc-").FullName;

    private string ProjectDirectory => Path.Combine(_root, "repo");

    private string UserConfig => Path.Combine(_root, "home", ".npmrc");

    public NpmConfigTests()
    {
        Directory.CreateDirectory(ProjectDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(UserConfig)!);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void DefaultsWithoutFiles()
    {
        var config = Load();

        Assert.Equal(new Uri(NpmConfig.DefaultRegistry), config.Registry);
        Assert.Equal(new Uri(NpmConfig.DefaultRegistry), config.RegistryFor("@scope/name"));
        Assert.False(config.HasTokenFor(config.Registry));
        Assert.Null(config.CaFile);
        Assert.Empty(config.Files);
    }

    [Fact]
    public void EnvironmentWinsOverProjectAndUser()
    {
        WriteProject("registry=https://project.example.test/");
        WriteUser("registry=https://user.example.test/");

        var config = Load(("NPM_CONFIG_REGISTRY", "https://env.example.test/"));

        Assert.Equal(new Uri("https://env.example.test/"), config.Registry);
    }

    [Fact]
    public void ProjectWinsOverUser()
    {
        WriteProject("registry=https://project.example.test/");
        WriteUser("registry=https://user.example.test/\n@corp:registry=https://corp.example.test/npm");

        var config = Load();

        Assert.Equal(new Uri("https://project.example.test/"), config.Registry);
        Assert.Equal(new Uri("https://corp.example.test/npm/"), config.RegistryFor("@corp/tool"));
        Assert.Equal(2, config.Files.Count);
    }

    [Fact]
    public void LowerCaseEnvironmentPrefixWorks()
    {
        var config = Load(("npm_config_@corp:registry", "https://corp.example.test/"));

        Assert.Equal(new Uri("https://corp.example.test/"), config.RegistryFor("@corp/tool"));
        Assert.Equal(new Uri(NpmConfig.DefaultRegistry), config.RegistryFor("tool"));
    }

    [Fact]
    public void TokenMatchesRegistryPath()
    {
        WriteUser("//corp.example.test/npm/:_authToken=path-token\n//other.example.test/:_authToken=other-token");

        var config = Load();

        Assert.Equal("path-token", config.TokenFor(new Uri("https://corp.example.test/npm/")));
        Assert.Null(config.TokenFor(new Uri("https://corp.example.test/")));
        Assert.Null(config.TokenFor(new Uri(NpmConfig.DefaultRegistry)));
    }

    [Fact]
    public void TokenWalksUpPath()
    {
        WriteUser("//corp.example.test:8443/:_authToken=host-token");

        var config = Load();

        Assert.Equal("host-token", config.TokenFor(new Uri("https://corp.example.test:8443/deep/npm/")));
        Assert.Null(config.TokenFor(new Uri("https://corp.example.test/deep/npm/")));
    }

    [Fact]
    public void ExpandsEnvironmentReferences()
    {
        WriteProject("//corp.example.test/:_authToken=${CORP_TOKEN}\n@corp:registry=https://${CORP_HOST}/\nemail=${UNSET_VALUE?}");

        var config = Load(("CORP_TOKEN", "expanded-token"), ("CORP_HOST", "corp.example.test"));

        Assert.Equal(new Uri("https://corp.example.test/"), config.RegistryFor("@corp/tool"));
        Assert.Equal("expanded-token", config.TokenFor(new Uri("https://corp.example.test/")));
    }

    [Fact]
    public void UnsetReferenceNamesKeyAndVariable()
    {
        WriteProject("//corp.example.test/:_authToken=${MISSING_TOKEN}");

        var exception = Assert.Throws<PipelineException>(() => Load());

        Assert.Contains("MISSING_TOKEN", exception.Message, StringComparison.Ordinal);
        Assert.Contains("//corp.example.test/:_authToken", exception.Message, StringComparison.Ordinal);
        Assert.Contains(".npmrc line 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsCommentsQuotesAndSections()
    {
        WriteProject("""
            ; a comment
            # another comment
            registry = "https://quoted.example.test/"
            @a:registry=https://a.example.test/ ; trailing comment
            [section]
            @b:registry=https://ignored.example.test/
            """);

        var config = Load();

        Assert.Equal(new Uri("https://quoted.example.test/"), config.Registry);
        Assert.Equal(new Uri("https://a.example.test/"), config.RegistryFor("@a/x"));
        Assert.Equal(new Uri("https://quoted.example.test/"), config.RegistryFor("@b/x"));
    }

    [Fact]
    public void ToStringHidesTokens()
    {
        WriteUser("//corp.example.test/:_authToken=very-secret-token\n@corp:registry=https://corp.example.test/");

        var text = Load().ToString();

        Assert.DoesNotContain("very-secret-token", text, StringComparison.Ordinal);
        Assert.Contains("//corp.example.test/", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UserConfigFromEnvironment()
    {
        var other = Path.Combine(_root, "other.npmrc");
        File.WriteAllText(other, "registry=https://other.example.test/");

        var config = NpmConfig.Load(ProjectDirectory, environment: Environment(("HOME", Path.Combine(_root, "home")), ("NPM_CONFIG_USERCONFIG", other)));

        Assert.Equal(new Uri("https://other.example.test/"), config.Registry);
    }

    [Fact]
    public void CaFileMustExist()
    {
        WriteProject("cafile=/nonexistent/hagi-ca.pem");

        var exception = Assert.Throws<PipelineException>(() => Load());

        Assert.Contains("/nonexistent/hagi-ca.pem", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaFileResolvesHome()
    {
        File.WriteAllText(Path.Combine(_root, "home", "ca.pem"), "");
        WriteUser("cafile=~/ca.pem");

        var config = Load();

        Assert.Equal(Path.Combine(_root, "home", "ca.pem"), config.CaFile);
    }

    [Fact]
    public void InvalidRegistryNamesSource()
    {
        WriteProject("registry=ftp://registry.example.test/");

        var exception = Assert.Throws<PipelineException>(() => Load());

        Assert.Contains("ftp://registry.example.test/", exception.Message, StringComparison.Ordinal);
        Assert.Contains(".npmrc line 1", exception.Message, StringComparison.Ordinal);
    }

    private NpmConfig Load(params (string Name, string Value)[] variables) =>
        NpmConfig.Load(ProjectDirectory, UserConfig, Environment(variables.Append(("HOME", Path.Combine(_root, "home"))).ToArray()));

    private static Dictionary<string, string> Environment(params (string Name, string Value)[] variables) =>
        variables.ToDictionary(variable => variable.Name, variable => variable.Value, StringComparer.Ordinal);

    private void WriteProject(string text) => File.WriteAllText(Path.Combine(ProjectDirectory, ".npmrc"), text);

    private void WriteUser(string text) => File.WriteAllText(UserConfig, text);
}
