using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using HagiImages.Npm;
using HagiImages.Pipeline;

namespace HagiImages.Resolve;

/// <summary>
/// Adds the <c>libc</c> list to the platform packages of an npm lock file. npm records <c>os</c> and <c>cpu</c>
/// from the registry's short package documents, which leave out <c>libc</c>, so without it <c>npm ci</c> on a glibc
/// system also installs the musl builds of native CLIs (hundreds of megabytes that never run). npm honours a
/// <c>libc</c> list in the lock file and skips those packages.
/// </summary>
public static class PackageLockLibc
{
    private static readonly JsonSerializerOptions NpmStyle = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Returns <paramref name="packageLock"/> with <c>libc</c> added to every entry that has an <c>os</c> or
    /// <c>cpu</c> list and whose published package.json declares <c>libc</c>. The text is returned unchanged when
    /// no entry gains one.
    /// </summary>
    /// <param name="packageLock">The text of a package-lock.json, lockfileVersion 2 or later.</param>
    /// <param name="source">Where the text comes from, for errors.</param>
    /// <param name="client">Fetches the full package documents.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <exception cref="PipelineException">The text is not a lock file, or a package document cannot be fetched.</exception>
    public static async Task<string> AddAsync(string packageLock, string source, NpmRegistryClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(packageLock);
        }
        catch (JsonException exception)
        {
            throw new PipelineException($"The npm lock file {source} is not valid JSON: {exception.Message} Run './build.sh --target Bump' to write it again.", exception);
        }

        if (root?["packages"] is not JsonObject packages)
        {
            throw new PipelineException($"The npm lock file {source} has no 'packages' object. Run './build.sh --target Bump' to write it again.");
        }

        var candidates = packages
            .Where(pair => pair.Key.Length > 0 && pair.Value is JsonObject entry && (entry["os"] is not null || entry["cpu"] is not null) && entry["libc"] is null)
            .Select(pair => (Key: pair.Key, Entry: (JsonObject)pair.Value!, Name: PackageName(pair.Key, pair.Value!), Version: pair.Value!["version"]?.GetValue<string>()))
            .Where(candidate => candidate.Version is not null)
            .ToList();
        if (candidates.Count == 0)
        {
            return packageLock;
        }

        var documents = (await client.GetPackagesAsync(candidates.Select(candidate => candidate.Name).Distinct(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false))
            .ToDictionary(document => document.Name, StringComparer.Ordinal);
        var changed = false;
        foreach (var candidate in candidates)
        {
            if (!documents[candidate.Name].Versions.TryGetValue(candidate.Version!, out var published) || published.Libc.Count == 0)
            {
                continue;
            }

            var libc = new JsonArray(published.Libc.Select(value => (JsonNode?)JsonValue.Create(value)).ToArray());
            var after = candidate.Entry.IndexOf(candidate.Entry.ContainsKey("cpu") ? "cpu" : "os");
            candidate.Entry.Insert(after + 1, "libc", libc);
            changed = true;
        }

        return changed ? root.ToJsonString(NpmStyle).ReplaceLineEndings("\n") + "\n" : packageLock;
    }

    private static string PackageName(string key, JsonNode entry) =>
        entry["name"]?.GetValue<string>() ?? key[(key.LastIndexOf("node_modules/", StringComparison.Ordinal) + "node_modules/".Length)..];
}
