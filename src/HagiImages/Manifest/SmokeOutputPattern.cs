using System.Text.RegularExpressions;

namespace HagiImages.Manifest;

/// <summary>How the output patterns of command checks are compiled, shared by validation and the check.</summary>
public static class SmokeOutputPattern
{
    /// <summary>Time one match may take before it fails, so that a pathological pattern cannot hang a run.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Compiles <paramref name="pattern"/>; <c>^</c> and <c>$</c> match at line breaks.</summary>
    public static Regex Create(string pattern) => new(pattern, RegexOptions.Multiline, MatchTimeout);
}
