using HagiImages.Resolve;

namespace HagiImages.SmokeTest;

/// <summary>
/// Values that the build passes to npm and that must not reach the built image: registry tokens from the host's
/// npm configuration and the certificates of a private CA bundle. <see cref="ToString"/> never shows them.
/// </summary>
public sealed class BuildSecrets
{
    /// <summary>Values shorter than this are not searched, because they would match by chance in gigabytes of layers.</summary>
    public const int MinimumLength = 8;

    /// <summary>The system CA bundle of Debian-based hosts, whose certificates are public.</summary>
    public const string SystemBundlePath = "/etc/ssl/certs/ca-certificates.crt";

    private static readonly string[] SecretKeySuffixes = ["_authToken", "_auth", "_password", ":token"];

    public BuildSecrets(IEnumerable<string> values)
    {
        Values = values.Where(value => value.Length >= MinimumLength).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>No secret values; the check then looks only for build file names.</summary>
    public static BuildSecrets None { get; } = new([]);

    /// <summary>The values to search for, each at least <see cref="MinimumLength"/> characters long.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>
    /// Collects the secrets of <paramref name="settings"/>: each token-like value of its npmrc, and each certificate
    /// of its CA bundle that the system bundle at <paramref name="systemBundlePath"/> does not contain.
    /// </summary>
    /// <remarks>
    /// A CA bundle is public data, but a private CA in it names internal infrastructure, and its presence in the
    /// image shows that build files leaked. The public CAs of a bundle also ship in every image's
    /// ca-certificates package, so searching for them would report every image. Only certificates missing from
    /// the host's system bundle are therefore searched. When the bundle is the system bundle itself, nothing is.
    /// </remarks>
    public static BuildSecrets FromBuildSettings(BuildSettings settings, string systemBundlePath = SystemBundlePath)
    {
        var values = new List<string>();
        if (settings.Npmrc is { } npmrc)
        {
            values.AddRange(NpmrcSecretValues(npmrc));
        }

        if (settings.CaBundle is { } bundle)
        {
            var system = File.Exists(systemBundlePath) ? File.ReadAllText(systemBundlePath) : "";
            var publicCertificates = new HashSet<string>(PemCertificate.Bodies(system), StringComparer.Ordinal);
            values.AddRange(PemCertificate.Bodies(bundle).Where(body => !publicCertificates.Contains(body)).Select(PemCertificate.SearchLine));
        }

        return new BuildSecrets(values);
    }

    public override string ToString() => $"BuildSecrets {{ {Values.Count} values }}";

    private static IEnumerable<string> NpmrcSecretValues(string npmrc)
    {
        foreach (var rawLine in npmrc.Split('\n'))
        {
            var line = rawLine.Trim();
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            var key = line[..separator].Trim();
            var value = line[(separator + 1)..].Trim().Trim('"');
            if (SecretKeySuffixes.Any(suffix => key.EndsWith(suffix, StringComparison.Ordinal)))
            {
                yield return value;
            }
        }
    }
}
