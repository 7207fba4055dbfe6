using System.Text.Json.Nodes;

namespace HagiImages.BuildImages;

/// <summary>
/// The platform that npm installs for inside an image: operating system, CPU and C library, compared with the
/// <c>os</c>, <c>cpu</c> and <c>libc</c> lists of a package as npm compares them.
/// </summary>
/// <param name="Os">The value of Node's <c>process.platform</c>, such as <c>linux</c>.</param>
/// <param name="Cpu">The value of Node's <c>process.arch</c>, such as <c>x64</c> or <c>arm64</c>.</param>
/// <param name="Libc">The C library, <c>glibc</c> or <c>musl</c>; npm checks it on Linux only.</param>
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

    /// <summary>Returns whether a package-lock entry (or package.json) with these lists installs on this platform.</summary>
    public bool Accepts(JsonNode? entry) =>
        Allows(Os, entry?["os"]) && Allows(Cpu, entry?["cpu"]) && (Os != "linux" || Allows(Libc, entry?["libc"]));

    /// <summary>
    /// npm's rule: a list passes when it names the value, or when every entry is a negation (<c>!value</c>) and none
    /// names the value. A missing or empty list, and the single entry <c>any</c>, pass everything.
    /// </summary>
    private static bool Allows(string value, JsonNode? list)
    {
        var entries = list switch
        {
            JsonArray array => array.Select(item => item?.GetValue<string>() ?? "").ToList(),
            JsonValue single => [single.GetValue<string>()],
            _ => [],
        };
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
}
