using HagiImages.Pipeline;
using HagiImages.Publish;

namespace HagiImages.Tests.Publish;

public sealed class RegistryTargetTests
{
    [Fact]
    public void Parse_HostPortNamespace_Parts()
    {
        var registry = RegistryTarget.Parse("127.0.0.1:5000/hagicode");

        Assert.Equal("127.0.0.1:5000", registry.Address);
        Assert.Equal("127.0.0.1", registry.Host);
        Assert.Equal("hagicode", registry.Namespace);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/hagicode", "http://127.0.0.1:5000/")]
    [InlineData("127.1.2.3:5000/hagicode", "http://127.1.2.3:5000/")]
    [InlineData("localhost:5000/hagicode", "http://localhost:5000/")]
    [InlineData("ghcr.io/hagicode", "https://ghcr.io/")]
    [InlineData("docker.io/hagicode", "https://registry-1.docker.io/")]
    public void ApiBaseUri_SchemeByHost(string value, string expected)
    {
        Assert.Equal(new Uri(expected), RegistryTarget.Parse(value).ApiBaseUri);
    }

    [Fact]
    public void CredentialServerAddress_DockerHub_IndexUrl()
    {
        Assert.Equal("https://index.docker.io/v1/", RegistryTarget.Parse("docker.io/hagicode").CredentialServerAddress);
    }

    [Theory]
    [InlineData("ghcr.io")]
    [InlineData("ghcr.io/")]
    [InlineData("/hagicode")]
    [InlineData("GHCR.io/hagicode")]
    [InlineData("ghcr.io/HagiCode")]
    [InlineData("ghcr.io/hagicode/")]
    [InlineData("ghcr.io/hagi..code")]
    [InlineData("hagicode/team")]
    [InlineData("127.0.0.1:70000/hagicode")]
    [InlineData("127.0.0.1:/hagicode")]
    [InlineData("https://ghcr.io/hagicode")]
    [InlineData("ghcr.io/hagicode:1.0")]
    [InlineData("ghcr.io/hagi code")]
    public void Parse_InvalidValue_NamesValueAndForm(string value)
    {
        var exception = Assert.Throws<PipelineException>(() => RegistryTarget.Parse(value));

        Assert.Contains($"'{value}'", exception.Message);
        Assert.Contains("--registry", exception.Message);
        Assert.Contains("HOST[:PORT]/NAMESPACE", exception.Message);
    }
}
