using System.Net;
using System.Security.Authentication;
using HagiImages.Npm;
using HagiImages.Pipeline;
using HagiImages.Tests.Fixtures;

namespace HagiImages.Tests.Npm;

public sealed class NpmRegistryClientTlsTests : IDisposable
{
    private const string PackageId = "x@1.0.0";

    private static readonly byte[] Body = "tarball bytes"u8.ToArray();

    private static readonly NpmRegistryClientOptions NoRetries = new()
    {
        Timeout = TimeSpan.FromSeconds(10),
        TarballTimeout = TimeSpan.FromSeconds(10),
        MaxRetries = 0,
    };

    private readonly string _root = Directory.CreateTempSubdirectory("hagi-tls-").FullName;
    private readonly TestCertificateAuthority _authority = new("hagi-test-root");

    public void Dispose()
    {
        _authority.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task UntrustedCaFails()
    {
        using var certificate = _authority.IssueServerCertificate([IPAddress.Loopback], []);
        using var server = new LocalTlsServer(certificate, Body);
        using var client = CreateClient(extraCaBundle: null);
        var url = new Uri(server.Url, "x.tgz");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetTarballAsync(url, PackageId));

        Assert.Contains(url.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Contains(Causes(exception), cause => cause is AuthenticationException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ExtraCaTrustsServer()
    {
        using var certificate = _authority.IssueServerCertificate([IPAddress.Loopback], []);
        using var server = new LocalTlsServer(certificate, Body);
        using var client = CreateClient(_authority.CertificatePem);

        var content = await client.GetTarballAsync(new Uri(server.Url, "x.tgz"), PackageId);

        Assert.Equal(Body, content);
        Assert.Equal("/x.tgz", Assert.Single(server.Requests));
    }

    [Fact]
    public async Task ExtraCaAmongOthersTrustsServer()
    {
        using var other = new TestCertificateAuthority("hagi-test-other-root");
        using var certificate = _authority.IssueServerCertificate([IPAddress.Loopback], []);
        using var server = new LocalTlsServer(certificate, Body);
        using var client = CreateClient(other.CertificatePem + "\n" + _authority.CertificatePem);

        var content = await client.GetTarballAsync(new Uri(server.Url, "x.tgz"), PackageId);

        Assert.Equal(Body, content);
    }

    [Fact]
    public async Task UnrelatedCaFails()
    {
        using var other = new TestCertificateAuthority("hagi-test-other-root");
        using var certificate = _authority.IssueServerCertificate([IPAddress.Loopback], []);
        using var server = new LocalTlsServer(certificate, Body);
        using var client = CreateClient(other.CertificatePem);
        var url = new Uri(server.Url, "x.tgz");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetTarballAsync(url, PackageId));

        Assert.Contains(url.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Contains(Causes(exception), cause => cause is AuthenticationException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ExtraCaKeepsNameCheck()
    {
        using var certificate = _authority.IssueServerCertificate([], ["example.invalid"]);
        using var server = new LocalTlsServer(certificate, Body);
        using var client = CreateClient(_authority.CertificatePem);
        var url = new Uri(server.Url, "x.tgz");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetTarballAsync(url, PackageId));

        Assert.Contains(Causes(exception), cause => cause is AuthenticationException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ExtraCaKeepsServerUsageCheck()
    {
        using var certificate = _authority.IssueServerCertificate([IPAddress.Loopback], [], clientOnly: true);
        using var server = new LocalTlsServer(certificate, Body);
        using var client = CreateClient(_authority.CertificatePem);
        var url = new Uri(server.Url, "x.tgz");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => client.GetTarballAsync(url, PackageId));

        Assert.Contains(Causes(exception), cause => cause is AuthenticationException);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void BundleWithoutCertificateThrows()
    {
        var exception = Assert.Throws<PipelineException>(() => CreateClient("not a pem"));

        Assert.Contains("--ca-bundle", exception.Message, StringComparison.Ordinal);
        Assert.Contains("no PEM certificate", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BundleWithBrokenCertificateThrows()
    {
        var broken = "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String("not a certificate"u8) + "\n-----END CERTIFICATE-----\n";

        var exception = Assert.Throws<PipelineException>(() => CreateClient(broken));

        Assert.Contains("--ca-bundle", exception.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<Exception> Causes(Exception exception)
    {
        for (var cause = exception.InnerException; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }

    private NpmRegistryClient CreateClient(string? extraCaBundle)
    {
        var config = NpmConfig.Load(_root, Path.Combine(_root, "no-user.npmrc"), new Dictionary<string, string> { ["HOME"] = _root });
        var (logger, _) = InMemorySink.CreateLogger();
        return new NpmRegistryClient(config, logger, NoRetries with { ExtraCaBundle = extraCaBundle });
    }
}
