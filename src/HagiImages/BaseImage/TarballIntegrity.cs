using System.Security.Cryptography;
using HagiImages.Pipeline;
using HagiImages.Resolve;

namespace HagiImages.BaseImage;

/// <summary>
/// Checks a downloaded tarball against the Subresource Integrity value of its pin. Only <c>sha512-</c> values
/// are accepted, because npm publishes sha512 for every current package.
/// </summary>
public static class TarballIntegrity
{
    private const string Sha512Prefix = "sha512-";

    /// <summary>Returns the <c>sha512-</c> integrity value of <paramref name="content"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> content) => Sha512Prefix + Convert.ToBase64String(SHA512.HashData(content));

    /// <summary>
    /// Throws unless one of the whitespace-separated <c>sha512-</c> values of <see cref="PinnedPackage.Integrity"/>
    /// matches <paramref name="content"/>.
    /// </summary>
    /// <exception cref="PipelineException">The pin has no sha512 value, or the content does not match it.</exception>
    public static void Verify(PinnedPackage pin, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(pin);
        var expected = ExpectedValues(pin);
        var actual = Compute(content);
        if (!expected.Contains(actual, StringComparer.Ordinal))
        {
            throw new PipelineException(
                $"The tarball of {pin.Package}@{pin.Version} from {pin.Tarball} failed the integrity check: expected {string.Join(" ", expected)}, "
                + $"got {actual}. The lock file or the download is wrong; resolve the pin again or check the registry.");
        }
    }

    /// <summary>Returns the sha512 values of the pin.</summary>
    /// <exception cref="PipelineException">The pin has none.</exception>
    public static IReadOnlyList<string> ExpectedValues(PinnedPackage pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        var values = (pin.Integrity ?? "")
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(value => value.StartsWith(Sha512Prefix, StringComparison.Ordinal))
            .ToList();
        if (values.Count == 0)
        {
            throw new PipelineException(
                $"The integrity '{pin.Integrity}' of {pin.Package}@{pin.Version} in the lock file is invalid: it needs a sha512- value. Resolve the pin again.");
        }

        return values;
    }
}
