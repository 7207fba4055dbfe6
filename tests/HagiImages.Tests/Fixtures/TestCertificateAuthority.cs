using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HagiImages.Tests.Fixtures;

/// <summary>
/// A self-signed ECDSA P-256 root CA, valid from a day ago to a day ahead, that issues server certificates for
/// TLS tests. No trust store on the machine contains it.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _root;

    public TestCertificateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = DateTimeOffset.UtcNow;
        _root = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }

    /// <summary>The root certificate as a PEM <c>CERTIFICATE</c> block.</summary>
    public string CertificatePem => _root.ExportCertificatePem();

    /// <summary>
    /// Issues a server certificate with its private key. The certificate names the given IP addresses and DNS names
    /// in its subject alternative name. Its extended key usage is server authentication, or client authentication
    /// only when <paramref name="clientOnly"/> is set.
    /// </summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<IPAddress> addresses, IEnumerable<string> dnsNames, bool clientOnly = false)
    {
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var address in addresses)
        {
            alternativeNames.AddIpAddress(address);
        }

        foreach (var dnsName in dnsNames)
        {
            alternativeNames.AddDnsName(dnsName);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=hagi-test-server", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(clientOnly ? ClientAuthenticationOid : ServerAuthenticationOid)], critical: false));
        request.CertificateExtensions.Add(alternativeNames.Build(critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var serialNumber = RandomNumberGenerator.GetBytes(16);
        serialNumber[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(_root, now.AddHours(-1), now.AddHours(12), serialNumber);
        using var withKey = certificate.CopyWithPrivateKey(key);

        // SslStream on Windows rejects the ephemeral key that CopyWithPrivateKey attaches, but accepts one loaded from PKCS#12.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }

    public void Dispose() => _root.Dispose();
}
