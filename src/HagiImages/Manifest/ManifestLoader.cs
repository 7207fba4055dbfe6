using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HagiImages.Pipeline;

namespace HagiImages.Manifest;

/// <summary>
/// Reads and validates image manifests under an <c>images/</c> folder.
/// </summary>
public static partial class ManifestLoader
{
    public const string ManifestFileName = "image.json";

    /// <summary>
    /// Loads every <c>images/*/image.json</c>, sorted by name.
    /// </summary>
    /// <exception cref="PipelineException">The folder contains no manifest, or one of them is invalid.</exception>
    public static IReadOnlyList<ImageManifest> LoadAll(string imagesDirectory)
    {
        if (!System.IO.Directory.Exists(imagesDirectory))
        {
            throw new PipelineException(
                $"Images folder '{imagesDirectory}' was not found. Run the build from the repository root or pass --images PATH.");
        }

        var manifests = System.IO.Directory.GetDirectories(imagesDirectory)
            .Where(directory => File.Exists(Path.Combine(directory, ManifestFileName)))
            .OrderBy(directory => directory, StringComparer.Ordinal)
            .Select(directory => Load(Path.Combine(directory, ManifestFileName)))
            .ToList();
        if (manifests.Count == 0)
        {
            throw new PipelineException(
                $"No image manifest was found under '{imagesDirectory}'. Add a folder with an {ManifestFileName} file.");
        }

        return manifests;
    }

    /// <summary>
    /// Loads one manifest file and validates it.
    /// </summary>
    /// <exception cref="PipelineException">The file is missing, is not valid JSON, or breaks a rule; the message names the file and the JSON path.</exception>
    public static ImageManifest Load(string manifestPath)
    {
        if (!File.Exists(manifestPath))
        {
            throw new PipelineException($"Manifest '{manifestPath}' was not found.");
        }

        var text = File.ReadAllText(manifestPath);
        ImageManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ImageManifest>(StripSchemaProperty(text, manifestPath), ManifestJson.Options);
        }
        catch (JsonException exception)
        {
            throw new PipelineException(
                $"Manifest '{manifestPath}' is invalid at {exception.Path ?? "$"}: {DescribeJsonError(exception)}. "
                + "Fix the value; image.schema.json beside the images lists every field.",
                exception);
        }

        if (manifest is null)
        {
            throw new PipelineException($"Manifest '{manifestPath}' is empty. Write an image definition object into it.");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        manifest = manifest with { Directory = directory };
        var errors = ManifestValidator.Validate(manifest, Path.GetFileName(directory));
        if (errors.Count > 0)
        {
            var lines = string.Join(Environment.NewLine, errors.Select(error => $"  {error}"));
            throw new PipelineException($"Manifest '{manifestPath}' is invalid:{Environment.NewLine}{lines}");
        }

        return manifest;
    }

    // "$schema" points editors at the schema file; it is not part of the model.
    private static string StripSchemaProperty(string text, string manifestPath)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowDuplicateProperties = false });
        }
        catch (JsonException exception)
        {
            throw new PipelineException(
                $"Manifest '{manifestPath}' is not valid JSON (line {exception.LineNumber + 1}, position {exception.BytePositionInLine + 1}): {exception.Message}",
                exception);
        }

        if (node is JsonObject obj && obj.Remove("$schema"))
        {
            return obj.ToJsonString();
        }

        return text;
    }

    private static string DescribeJsonError(JsonException exception)
    {
        var message = exception.Message.Split(" Path:")[0].TrimEnd('.');
        var unmapped = UnmappedProperty().Match(message);
        return unmapped.Success ? $"unknown field '{unmapped.Groups["name"].Value}'" : message;
    }

    // The System.Text.Json message for a property that no model member takes.
    [GeneratedRegex("^The JSON property '(?<name>.*)' could not be mapped to any .NET member")]
    private static partial Regex UnmappedProperty();
}
