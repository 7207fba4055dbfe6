using System.Text.Json.Nodes;

namespace HagiImages.BuildImages;

/// <summary>
/// The platform that npm installs for inside an image: operating system, CPU and C library, compared with the
/// <c>os</c>, <c>cpu</c> and <c>libc</c> lists of a package as npm compares them.
/// </summary>
/// <param name="Os">The value of Node's <c>process.platform</c>, such as <c>linux</c>.</param>
/// <param name="Cpu">The value of Node's <c>process.arch</c>, such as <c>x64</c> or <c>arm64</c>.</param>
/// <param name="Libc">The C library, <c>glibc</c> or <c>musl</c>. npm detects it on Linux only, so it is compared on Linux only.</param>
public sealed record NpmPlatform(string Os, string Cpu, string Libc)
{
    /// <summary>
    /// Returns the platform of a Debian image on an engine that reports <paramref name="engineArchitecture"/>
    /// (Docker's <c>Architecture</c>, such as <c>x86_64</c> or <c>aarch64</c>).
    /// </summary>
    public static NpmPlatform DebianOn(string engineArchitecture) => new("linux", NodeArchitecture(engineArchitecture), "glibc");

    /// <summary>Maps an architecture name of the kernel or Docker to Node's <c>process.arch</c>.</summary>
    public static string NodeArchitecture(string architecture) => architecture.ToLowerInvariant() switch
    {
        "x86_64" or "amd64" => "x64",
        "aarch64" or "arm64" => "arm64",
        "armv7l" or "arm" => "arm",
        "i386" or "i686" or "386" => "ia32",
        "s390x" => "s390x",
        "ppc64le" => "ppc64",
        var other => other,
    };

    /// <summary>
    /// Returns whether a package-lock entry (or package.json) with these lists installs on this platform. On a system
    /// other than Linux, npm detects no C library, so an entry that sets a <c>libc</c> list is rejected there.
    /// </summary>
    public bool Accepts(JsonNode? entry)
    {
        var libc = entry?["libc"];
        var libcAllowed = Os == "linux" ? Allows(Libc, libc) : Entries(libc) is null;
        return Allows(Os, entry?["os"]) && Allows(Cpu, entry?["cpu"]) && libcAllowed;
    }

    /// <summary>
    /// npm's rule: a list passes when it names the value, or when every entry is a negation (<c>!value</c>) and none
    /// names the value. A missing list, an empty string or array, and the single entry <c>any</c>, pass everything.
    /// </summary>
    private static bool Allows(string value, JsonNode? list)
    {
        var entries = Entries(list) ?? [];
        if (entries.Count == 0 || (entries.Count == 1 && entries[0] == "any"))
        {
            return true;
        }

        var named = false;
        var negations = 0;
        foreach (var entry in entries)
        {
            if (entry.StartsWith('!'))
            {
                if (entry[1..] == value)
                {
                    return false;
                }

                negations++;
            }
            else
            {
                named |= entry == value;
            }
        }

        return named || negations == entries.Count;
    }

    /// <summary>
    /// Returns the entries of an <c>os</c>, <c>cpu</c> or <c>libc</c> list: a single string counts as a list of one.
    /// Returns null when the list is missing, null or the empty string, which npm treats as not set.
    /// </summary>
    private static List<string>? Entries(JsonNode? list) => list switch
    {
        JsonArray array => array.Select(item => item?.GetValue<string>() ?? "").ToList(),
        JsonValue single when single.GetValue<string>() is { Length: > 0 } text => [text],
        _ => null,
    };
}
