namespace HagiImages.Npm;

/// <summary>
/// A version in a range that may leave out parts or use a wildcard (<c>x</c>, <c>X</c> or <c>*</c>), such as
/// <c>1</c>, <c>1.2.x</c> or <c>1.2.3-beta.1</c>.
/// </summary>
/// <param name="Parts">One to three parts, each a decimal number or <c>x</c> for a wildcard.</param>
/// <param name="Prerelease">Prerelease identifiers without the leading hyphen; empty when there are none.</param>
internal sealed record NpmPartialVersion(IReadOnlyList<string> Parts, string Prerelease)
{
    public const string Wildcard = "x";

    /// <summary>True when the major part is a wildcard, so the partial matches every version.</summary>
    public bool IsAny => Parts[0] == Wildcard;

    /// <summary>True when all three parts are numbers.</summary>
    public bool IsFull => Parts.Count == 3 && !Parts.Contains(Wildcard);

    /// <summary>
    /// Renders the partial for Semver's npm range parser. Parts after the first wildcard (wildcards, as numbers
    /// may not follow one) and the prerelease of a partial with a wildcard are dropped, because npm ignores both.
    /// </summary>
    public string ToCanonical()
    {
        var parts = Parts.TakeWhile(part => part != Wildcard).ToList();
        if (parts.Count < Parts.Count)
        {
            parts.Add(Wildcard);
            return string.Join('.', parts);
        }

        var text = string.Join('.', parts);
        return Prerelease.Length > 0 ? $"{text}-{Prerelease}" : text;
    }
}
