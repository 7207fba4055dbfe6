namespace HagiImages.SmokeTest;

/// <summary>Splits PEM text into the base64 bodies of its certificates.</summary>
internal static class PemCertificate
{
    private const string Begin = "-----BEGIN CERTIFICATE-----";
    private const string End = "-----END CERTIFICATE-----";

    /// <summary>Returns each certificate's base64 lines joined without line breaks.</summary>
    public static IEnumerable<string> Bodies(string pem)
    {
        var index = 0;
        while ((index = pem.IndexOf(Begin, index, StringComparison.Ordinal)) >= 0)
        {
            var start = index + Begin.Length;
            var end = pem.IndexOf(End, start, StringComparison.Ordinal);
            if (end < 0)
            {
                yield break;
            }

            yield return string.Concat(pem[start..end].Where(character => !char.IsWhiteSpace(character)));
            index = end + End.Length;
        }
    }

    /// <summary>
    /// Returns a 64-character line from the middle of a certificate body, as PEM writers wrap it. A copy of the
    /// bundle contains that line whatever its line endings, and the serial number and key make it unique.
    /// </summary>
    public static string SearchLine(string body)
    {
        const int lineLength = 64;
        var lines = body.Length / lineLength;
        return lines < 2 ? body : body.Substring(lines / 2 * lineLength, lineLength);
    }
}
