using System.Text;
using HagiImages.Pipeline;
using HagiImages.Publish;

namespace HagiImages.Tests.Publish;

public sealed class RegistryCredentialResolverTests : IDisposable
{
    private const string HelperScript = """
        #!/bin/sh
        # Fake Docker credential helper for tests: reads the server address on stdin.
        [ "$1" = "get" ] || { echo "unsupported action $1" >&2; exit 2; }
        read -r server
        case "$server" in
          127.0.0.1:5999) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$server" ;;
          token.example.com) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-token"}' "$server" ;;
          broken.example.com) echo "keyring is locked" >&2; exit 3 ;;
          *) echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """;

    private readonly string directory = Directory.CreateTempSubdirectory("hagi-test-credentials-").FullName;
    private readonly Dictionary<string, string> environment = new();

    public RegistryCredentialResolverTests()
    {
        var binDirectory = Path.Combine(directory, "bin");
        Directory.CreateDirectory(binDirectory);
        var helperPath = Path.Combine(binDirectory, "docker-credential-test");
        File.WriteAllText(helperPath, HelperScript.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(helperPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        environment["PATH"] = $"{binDirectory}:/usr/bin:/bin";
        environment["DOCKER_CONFIG"] = Path.Combine(directory, "docker");
        environment["HOME"] = directory;
    }

    private RegistryCredentialResolver Resolver => new(name => environment.GetValueOrDefault(name));

    private string ConfigPath => Path.Combine(directory, "docker", "config.json");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void HostVariables_AddressToVariableNames()
    {
        var (username, password) = RegistryCredentialResolver.HostVariables(RegistryTarget.Parse("127.0.0.1:5000/hagicode"));

        Assert.Equal("HAGI_REGISTRY_127_0_0_1_5000_USERNAME", username);
        Assert.Equal("HAGI_REGISTRY_127_0_0_1_5000_PASSWORD", password);
    }

    [Fact]
    public async Task Resolve_NoSource_Null()
    {
        Assert.Null(await Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode")));
    }

    [Fact]
    public async Task Resolve_HostVariables_WinOverGlobalAndConfig()
    {
        environment["HAGI_REGISTRY_GHCR_IO_USERNAME"] = "host-user";
        environment["HAGI_REGISTRY_GHCR_IO_PASSWORD"] = "host-secret";
        environment["HAGI_REGISTRY_USERNAME"] = "global-user";
        environment["HAGI_REGISTRY_PASSWORD"] = "global-secret";
        WriteConfig("""{ "auths": { "ghcr.io": { "auth": "Y29uZmlnLXVzZXI6Y29uZmlnLXNlY3JldA==" } } }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode"));

        Assert.NotNull(credential);
        Assert.Equal("host-user", credential.Username);
        Assert.Equal("host-secret", credential.Password);
        Assert.Contains("HAGI_REGISTRY_GHCR_IO_USERNAME", credential.Source);
    }

    [Fact]
    public async Task Resolve_GlobalVariables_WinOverConfig()
    {
        environment["HAGI_REGISTRY_USERNAME"] = "global-user";
        environment["HAGI_REGISTRY_PASSWORD"] = "global-secret";
        WriteConfig("""{ "auths": { "ghcr.io": { "auth": "Y29uZmlnLXVzZXI6Y29uZmlnLXNlY3JldA==" } } }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode"));

        Assert.Equal("global-user", credential?.Username);
        Assert.Equal("global-secret", credential?.Password);
    }

    [Fact]
    public async Task Resolve_UsernameWithoutPassword_Rejected()
    {
        environment["HAGI_REGISTRY_USERNAME"] = "global-user";

        var exception = await Assert.ThrowsAsync<PipelineException>(() => Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode")));

        Assert.Contains("HAGI_REGISTRY_PASSWORD", exception.Message);
    }

    [Fact]
    public async Task Resolve_ConfigAuths_DecodesBase64()
    {
        WriteConfig($$"""{ "auths": { "127.0.0.1:5000": { "auth": "{{Base64("config-user:pass:with:colons")}}" } } }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("127.0.0.1:5000/hagicode"));

        Assert.NotNull(credential);
        Assert.Equal("config-user", credential.Username);
        Assert.Equal("pass:with:colons", credential.Password);
        Assert.Contains(ConfigPath, credential.Source);
    }

    [Fact]
    public async Task Resolve_ConfigAuthsWithScheme_Matches()
    {
        WriteConfig($$"""{ "auths": { "https://ghcr.io": { "auth": "{{Base64("u:p")}}" } } }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode"));

        Assert.Equal("u", credential?.Username);
    }

    [Fact]
    public async Task Resolve_DockerHubAuths_IndexKey()
    {
        WriteConfig($$"""{ "auths": { "https://index.docker.io/v1/": { "auth": "{{Base64("hub-user:hub-secret")}}" } } }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("docker.io/hagicode"));

        Assert.Equal("hub-user", credential?.Username);
    }

    [Fact]
    public async Task Resolve_ConfigWithoutDockerConfigVariable_HomeDocker()
    {
        environment.Remove("DOCKER_CONFIG");
        Directory.CreateDirectory(Path.Combine(directory, ".docker"));
        File.WriteAllText(Path.Combine(directory, ".docker", "config.json"), $$"""{ "auths": { "ghcr.io": { "auth": "{{Base64("home-user:p")}}" } } }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode"));

        Assert.Equal("home-user", credential?.Username);
    }

    [Fact]
    public async Task Resolve_InvalidBase64_Rejected()
    {
        WriteConfig("""{ "auths": { "ghcr.io": { "auth": "not base64!" } } }""");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode")));

        Assert.Contains("docker login ghcr.io", exception.Message);
    }

    [Fact]
    public async Task Resolve_CorruptConfig_NamesFile()
    {
        WriteConfig("{ \"auths\": ");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode")));

        Assert.Contains(ConfigPath, exception.Message);
    }

    [Fact]
    public async Task Resolve_CredHelper_UsesHelperOutput()
    {
        WriteConfig("""{ "auths": { "127.0.0.1:5999": {} }, "credHelpers": { "127.0.0.1:5999": "test" } }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("127.0.0.1:5999/hagicode"));

        Assert.NotNull(credential);
        Assert.Equal("helper-user", credential.Username);
        Assert.Equal("helper-secret", credential.Password);
        Assert.Contains("docker-credential-test", credential.Source);
    }

    [Fact]
    public async Task Resolve_CredsStore_UsesHelperForEveryRegistry()
    {
        WriteConfig("""{ "credsStore": "test" }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("127.0.0.1:5999/hagicode"));

        Assert.Equal("helper-user", credential?.Username);
        Assert.Contains("credsStore", credential?.Source);
    }

    [Fact]
    public async Task Resolve_HelperNotFound_Null()
    {
        WriteConfig("""{ "credsStore": "test" }""");

        Assert.Null(await Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode")));
    }

    [Fact]
    public async Task Resolve_HelperToken_IdentityToken()
    {
        WriteConfig("""{ "credsStore": "test" }""");

        var credential = await Resolver.ResolveAsync(RegistryTarget.Parse("token.example.com/hagicode"));

        Assert.NotNull(credential);
        Assert.Equal("refresh-token", credential.IdentityToken);
        Assert.Null(credential.Password);
    }

    [Fact]
    public async Task Resolve_HelperFails_ExitCodeAndReason()
    {
        WriteConfig("""{ "credsStore": "test" }""");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => Resolver.ResolveAsync(RegistryTarget.Parse("broken.example.com/hagicode")));

        Assert.Contains("exit code 3", exception.Message);
        Assert.Contains("keyring is locked", exception.Message);
    }

    [Fact]
    public async Task Resolve_HelperMissing_NamesHelper()
    {
        WriteConfig("""{ "credHelpers": { "ghcr.io": "absent" } }""");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => Resolver.ResolveAsync(RegistryTarget.Parse("ghcr.io/hagicode")));

        Assert.Contains("docker-credential-absent", exception.Message);
        Assert.Contains("not on PATH", exception.Message);
    }

    [Fact]
    public void Credential_ToString_HidesSecret()
    {
        var credential = new RegistryCredential("user", "very-secret", "token-secret", "test");

        Assert.DoesNotContain("very-secret", credential.ToString());
        Assert.DoesNotContain("token-secret", credential.ToString());
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private void WriteConfig(string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ConfigPath)!);
        File.WriteAllText(ConfigPath, json);
    }
}
