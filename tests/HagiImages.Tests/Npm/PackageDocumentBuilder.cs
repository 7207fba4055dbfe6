using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HagiImages.Npm;

namespace HagiImages.Tests.Npm;

/// <summary>Writes hand-made registry package documents.</summary>
internal sealed class PackageDocumentBuilder(string name)
{
    private readonly JsonObject _versions = [];
    private readonly JsonObject _times = [];
    private readonly JsonObject _tags = [];

    public string Name { get; } = name;

    public PackageDocumentBuilder Version(string version, DateTimeOffset? published, string? engines = null, string? deprecated = null, string? integrity = null)
    {
        var entry = new JsonObject
        {
            ["name"] = Name,
            ["version"] = version,
            ["dist"] = new JsonObject
            {
                ["integrity"] = integrity ?? IntegrityOf(Name, version),
                ["tarball"] = $"https://registry.example.test/{Name}/-/{Name.Split('/')[^1]}-{version}.tgz",
            },
        };
        if (engines is not null)
        {
            entry["engines"] = new JsonObject { ["node"] = engines };
        }

        if (deprecated is not null)
        {
            entry["deprecated"] = deprecated;
        }

        _versions[version] = entry;
        if (published is { } time)
        {
            _times[version] = time.ToString("O");
        }

        return this;
    }

    public PackageDocumentBuilder Tag(string tag, string version)
    {
        _tags[tag] = version;
        return this;
    }

    /// <summary>Returns the default sha512 integrity of a version, used when no integrity is passed.</summary>
    public static string IntegrityOf(string name, string version) =>
        "sha512-" + Convert.ToBase64String(SHA512.HashData(Encoding.UTF8.GetBytes($"{name}@{version}")));

    public string ToJson() => new JsonObject
    {
        ["name"] = Name,
        ["dist-tags"] = _tags.DeepClone(),
        ["versions"] = _versions.DeepClone(),
        ["time"] = _times.DeepClone(),
    }.ToJsonString();

    public NpmPackageDocument Build(string registry = "https://registry.example.test/") =>
        NpmPackageDocument.Parse(ToJson(), Name, new Uri(new Uri(registry), Name.Replace("/", "%2F", StringComparison.Ordinal)), new Uri(registry));
}
