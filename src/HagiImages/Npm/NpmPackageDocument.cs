using System.Globalization;
using System.Text.Json;
using Semver;

namespace HagiImages.Npm;

/// <summary>
/// The parts of a registry package document (packument) that resolving uses: dist-tags, versions with their
/// tarball, integrity, <c>engines.node</c> and deprecation, and publish times.
/// </summary>
public sealed record NpmPackageDocument
{
    public required string Name { get; init; }

    /// <summary>The URL the document was read from.</summary>
    public required Uri Url { get; init; }

    /// <summary>The registry that served the document.</summary>
    public required Uri Registry { get; init; }

    /// <summary>Dist-tags such as <c>latest</c>, each naming a version.</summary>
    public required IReadOnlyDictionary<string, string> DistTags { get; init; }

    /// <summary>Published versions by their version string; versions that are not valid SemVer are left out.</summary>
    public required IReadOnlyDictionary<string, NpmPackageVersion> Versions { get; init; }

    /// <summary>Publish time of each version, from the document's <c>time</c> object.</summary>
    public required IReadOnlyDictionary<string, DateTimeOffset> PublishTimes { get; init; }

    /// <summary>
    /// Reads a package document.
    /// </summary>
    /// <exception cref="JsonException">The text is not JSON or not shaped like a package document.</exception>
    public static NpmPackageDocument Parse(string json, string name, Uri url, Uri registry)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Expect(root, JsonValueKind.Object, "$");

        var distTags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("dist-tags", out var tags))
        {
            Expect(tags, JsonValueKind.Object, "$.dist-tags");
            foreach (var tag in tags.EnumerateObject().Where(tag => tag.Value.ValueKind == JsonValueKind.String))
            {
                distTags[tag.Name] = tag.Value.GetString()!;
            }
        }

        var versions = new Dictionary<string, NpmPackageVersion>(StringComparer.Ordinal);
        if (root.TryGetProperty("versions", out var versionsElement))
        {
            Expect(versionsElement, JsonValueKind.Object, "$.versions");
            foreach (var entry in versionsElement.EnumerateObject())
            {
                if (NpmVersion.TryParse(entry.Name, out var parsed) && entry.Value.ValueKind == JsonValueKind.Object)
                {
                    versions[entry.Name] = ReadVersion(entry.Name, parsed, entry.Value);
                }
            }
        }

        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (root.TryGetProperty("time", out var timeElement) && timeElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in timeElement.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(entry.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                {
                    times[entry.Name] = time;
                }
            }
        }

        return new NpmPackageDocument
        {
            Name = name,
            Url = url,
            Registry = registry,
            DistTags = distTags,
            Versions = versions,
            PublishTimes = times,
        };
    }

    private static NpmPackageVersion ReadVersion(string version, SemVersion parsed, JsonElement element)
    {
        string? integrity = null;
        string? tarball = null;
        if (element.TryGetProperty("dist", out var dist) && dist.ValueKind == JsonValueKind.Object)
        {
            // "integrity" may list several hashes separated by spaces; the lock file keeps the sha512 one.
            integrity = ReadString(dist, "integrity")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .FirstOrDefault(hash => hash.StartsWith("sha512-", StringComparison.Ordinal));
            tarball = ReadString(dist, "tarball");
        }

        string? enginesNode = null;
        if (element.TryGetProperty("engines", out var engines) && engines.ValueKind == JsonValueKind.Object)
        {
            enginesNode = ReadString(engines, "node");
        }

        // "deprecated" is a message; some old documents hold true instead.
        string? deprecated = null;
        if (element.TryGetProperty("deprecated", out var deprecation))
        {
            deprecated = deprecation.ValueKind switch
            {
                JsonValueKind.String when deprecation.GetString()!.Length > 0 => deprecation.GetString(),
                JsonValueKind.True => "deprecated",
                _ => null,
            };
        }

        var libc = new List<string>();
        if (element.TryGetProperty("libc", out var libcElement))
        {
            // npm treats an empty string as no list.
            if (libcElement.ValueKind == JsonValueKind.String && libcElement.GetString()!.Length > 0)
            {
                libc.Add(libcElement.GetString()!);
            }
            else if (libcElement.ValueKind == JsonValueKind.Array)
            {
                libc.AddRange(libcElement.EnumerateArray().Where(item => item.ValueKind == JsonValueKind.String).Select(item => item.GetString()!));
            }
        }

        return new NpmPackageVersion
        {
            Version = version,
            Libc = libc,
            SemVersion = parsed,
            Integrity = integrity,
            Tarball = tarball,
            EnginesNode = enginesNode,
            Deprecated = deprecated,
        };
    }

    private static string? ReadString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void Expect(JsonElement element, JsonValueKind kind, string path)
    {
        if (element.ValueKind != kind)
        {
            throw new JsonException($"{path} is {element.ValueKind.ToString().ToLowerInvariant()}, expected {kind.ToString().ToLowerInvariant()}.");
        }
    }
}

/// <summary>One published version of a package.</summary>
public sealed record NpmPackageVersion
{
    /// <summary>The version string as the registry lists it.</summary>
    public required string Version { get; init; }

    public required SemVersion SemVersion { get; init; }

    /// <summary>The sha512 subresource integrity of the tarball, or null when the registry lists none.</summary>
    public string? Integrity { get; init; }

    public string? Tarball { get; init; }

    /// <summary>The <c>engines.node</c> range, or null when the version declares none.</summary>
    public string? EnginesNode { get; init; }

    /// <summary>The deprecation message, or null when the version is not deprecated.</summary>
    public string? Deprecated { get; init; }

    /// <summary>
    /// The C libraries the version is built for (<c>libc</c> of its package.json, such as <c>musl</c>), empty
    /// when it declares none. Only the full package document lists it.
    /// </summary>
    public IReadOnlyList<string> Libc { get; init; } = [];
}
