using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HagiImages.Tests.Manifest;

/// <summary>
/// A small valid manifest as JSON that a test edits at a JSON path (such as <c>clis[0].state[1].path</c>) and
/// writes to <c>images/&lt;folder&gt;/image.json</c> under a temporary folder.
/// </summary>
internal static partial class SampleManifest
{
    public const string Text = """
        {
          "$schema": "../image.schema.json",
          "name": "sample",
          "repository": "hagicode/sample",
          "description": "Sample image for tests",
          "node": { "version": "22", "npm": "10", "registryImage": "node:22-bookworm-slim" },
          "user": { "name": "hagicode", "uid": 1000, "gid": 1000 },
          "policy": { "minimumReleaseAgeDays": 3, "missingPublishTime": "hold" },
          "clis": [
            {
              "id": "tool",
              "package": "@scope/tool",
              "version": "latest",
              "executables": ["tool"],
              "versionCommand": ["tool", "--version"],
              "state": [
                { "path": "~/.tool", "kind": "directory" },
                { "path": "~/.tool.json", "kind": "file" }
              ],
              "environment": { "TOOL_NO_UPDATE": "1" },
              "policy": { "minimumReleaseAgeDays": 1, "missingPublishTime": "allow-with-warning" }
            },
            {
              "id": "other",
              "package": "other-cli",
              "version": "^1.2.0",
              "executables": ["other"]
            }
          ]
        }
        """;

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Create() => JsonNode.Parse(Text)!.AsObject();

    /// <summary>Returns the sample with the value at <paramref name="path"/> replaced by <paramref name="json"/>.</summary>
    public static JsonObject With(string path, string json)
    {
        var root = Create();
        Set(root, path, JsonNode.Parse(json));
        return root;
    }

    /// <summary>Returns the sample without the property at <paramref name="path"/>.</summary>
    public static JsonObject Without(string path)
    {
        var root = Create();
        var (parent, last) = Navigate(root, path);
        parent.AsObject().Remove(last.Name!);
        return root;
    }

    /// <summary>Writes a manifest to <c>images/&lt;folder&gt;/image.json</c> under <paramref name="root"/> and returns the file path.</summary>
    public static string Write(string root, string text, string folder = "sample")
    {
        var directory = Path.Combine(root, "images", folder);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "image.json");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes a manifest into a folder named after its <c>name</c> (or <c>sample</c>) and returns the file path.</summary>
    public static string Write(string root, JsonObject manifest) =>
        Write(root, manifest.ToJsonString(Indented), manifest["name"] is JsonValue name && name.TryGetValue<string>(out var text) && text.Length > 0 ? text : "sample");


    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        var (parent, last) = Navigate(root, path);
        if (last.Name is { } name)
        {
            parent.AsObject()[name] = value;
        }
        else
        {
            parent.AsArray()[last.Index] = value;
        }
    }

    private static (JsonNode Parent, Segment Last) Navigate(JsonNode root, string path)
    {
        var segments = PathSegment().Matches(path)
            .Select(match => match.Groups["name"].Success
                ? new Segment(match.Groups["name"].Value, 0)
                : new Segment(null, int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        var node = root;
        foreach (var segment in segments[..^1])
        {
            node = segment.Name is { } name ? node[name]! : node[segment.Index]!;
        }

        return (node, segments[^1]);
    }

    [GeneratedRegex(@"(?<name>[A-Za-z$][A-Za-z0-9]*)|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    private sealed record Segment(string? Name, int Index);
}
