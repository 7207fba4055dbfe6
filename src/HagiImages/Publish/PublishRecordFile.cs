using System.Text.Json;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>Reads and writes <see cref="PublishRecord"/> as JSON (<c>artifacts/publish/result.json</c>).</summary>
public static class PublishRecordFile
{
    /// <summary>File name inside the publish artifacts folder.</summary>
    public const string FileName = "result.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes <paramref name="record"/> to <paramref name="path"/> through a temporary file, so a reader never sees half a file.</summary>
    public static async Task WriteAsync(string path, PublishRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(record);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporaryPath = path + ".tmp";
        await File.WriteAllTextAsync(temporaryPath, JsonSerializer.Serialize(record, Json) + "\n", cancellationToken).ConfigureAwait(false);
        File.Move(temporaryPath, path, overwrite: true);
    }

    /// <summary>Reads the record at <paramref name="path"/>.</summary>
    /// <exception cref="PipelineException">The file is missing, is not valid JSON, or lacks a required field.</exception>
    public static async Task<PublishRecord> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new PipelineException($"Publish result '{path}' was not found. Run './build.sh --target Publish --registry ...' first; the Release target lists what it pushed.");
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            var record = JsonSerializer.Deserialize<PublishRecord>(text, Json);
            return record ?? throw new PipelineException($"Publish result '{path}' contains JSON null. Run Publish again to write it.");
        }
        catch (JsonException exception)
        {
            throw new PipelineException($"Publish result '{path}' is invalid: {exception.Message} Run Publish again to write it.", exception);
        }
    }
}
