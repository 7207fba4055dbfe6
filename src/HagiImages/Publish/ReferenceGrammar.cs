using System.Text.RegularExpressions;

namespace HagiImages.Publish;

/// <summary>
/// Parts of Docker's image reference grammar (distribution/reference), restricted to lower case where this
/// project requires it.
/// </summary>
internal static partial class ReferenceGrammar
{
    /// <summary>Docker's limit on the length of a repository name including the registry host.</summary>
    public const int MaxRepositoryLength = 255;

    /// <summary>A tag: a word character, then up to 127 word characters, dots or dashes.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    public static partial Regex Tag();

    /// <summary>A repository path of one or more lower-case components separated by slashes.</summary>
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    public static partial Regex RepositoryPath();

    /// <summary>A lower-case registry host name or IPv4 address, then an optional port.</summary>
    [GeneratedRegex(@"^(?<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::(?<port>[0-9]{1,5}))?$")]
    public static partial Regex RegistryAddress();

    /// <summary>A content digest as the registry and the engine write it.</summary>
    [GeneratedRegex(@"^sha256:[0-9a-f]{64}$")]
    public static partial Regex Sha256Digest();
}
