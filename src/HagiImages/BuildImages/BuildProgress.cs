using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using Serilog;

namespace HagiImages.BuildImages;

/// <summary>
/// Reads the JSON message stream of a classic build: logs each <c>Step N/M</c> line at information level and other
/// output at debug level, keeps the output of the current step, and collects the image ids the stream reports.
/// Secret values are masked before any text is logged or kept. Messages are handled on the caller's thread, in order.
/// </summary>
internal sealed partial class BuildProgress : IProgress<JSONMessage>
{
    private const int KeptLines = 20;
    private const string Mask = "****";

    private readonly ILogger logger;
    private readonly string image;
    private readonly IReadOnlyList<string> secrets;
    private readonly StringBuilder partialLine = new();
    private readonly Queue<string> stepOutput = new();
    private readonly List<string> imageIds = [];

    public BuildProgress(ILogger logger, string image, IEnumerable<string> secrets)
    {
        this.logger = logger;
        this.image = image;
        this.secrets = secrets.Where(secret => secret.Length > 0).OrderByDescending(secret => secret.Length).ToList();
    }

    /// <summary>The last <c>Step N/M : ...</c> line, or empty before the first step.</summary>
    public string CurrentStep { get; private set; } = "";

    /// <summary>The error message of the build, masked; null while no error was reported.</summary>
    public string? Error { get; private set; }

    /// <summary>Image ids from <c>---&gt; id</c> lines and <c>aux</c> messages, in the order reported, without duplicates.</summary>
    public IReadOnlyList<string> ImageIds => imageIds;

    /// <summary>The last lines of output of the current step.</summary>
    public IReadOnlyCollection<string> StepOutput => stepOutput;

    public void Report(JSONMessage value)
    {
        if (value.Stream is { Length: > 0 } text)
        {
            AppendStream(text);
        }

        if (value.Aux?.ExtensionData is { } aux && aux.TryGetValue("ID", out var auxId))
        {
            AddImageId(auxId is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString() : auxId?.ToString());
        }

        if (value.Status is { Length: > 0 } status)
        {
            logger.Debug("{Image}: {Status} {Id}", image, MaskSecrets(status), value.ID ?? "");
        }

        if (value.Error is { } error)
        {
            FlushPartialLine();
            Error = MaskSecrets(error.Message ?? $"error code {error.Code}");
        }
    }

    /// <summary>Masks every secret value in <paramref name="text"/>.</summary>
    public string MaskSecrets(string text)
    {
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Handles output that is still buffered because it did not end with a line break.</summary>
    public void FlushPartialLine()
    {
        if (partialLine.Length > 0)
        {
            var line = partialLine.ToString();
            partialLine.Clear();
            HandleLine(line);
        }
    }

    private void AppendStream(string text)
    {
        partialLine.Append(text);
        var buffered = partialLine.ToString();
        var lastBreak = buffered.LastIndexOf('\n');
        if (lastBreak < 0)
        {
            return;
        }

        partialLine.Clear().Append(buffered[(lastBreak + 1)..]);
        foreach (var line in buffered[..lastBreak].Split('\n'))
        {
            HandleLine(line.TrimEnd('\r'));
        }
    }

    private void HandleLine(string rawLine)
    {
        var line = MaskSecrets(rawLine);
        if (line.Trim().Length == 0)
        {
            return;
        }

        if (StepLine().IsMatch(line))
        {
            CurrentStep = line.Trim();
            stepOutput.Clear();
            logger.Information("{Image}: {Step}", image, CurrentStep);
            return;
        }

        var idMatch = ImageIdLine().Match(line);
        if (idMatch.Success)
        {
            AddImageId(idMatch.Groups["id"].Value);
        }

        stepOutput.Enqueue(line);
        while (stepOutput.Count > KeptLines)
        {
            stepOutput.Dequeue();
        }

        logger.Debug("{Image}: {Output}", image, line);
    }

    private void AddImageId(string? id)
    {
        if (!string.IsNullOrWhiteSpace(id) && !imageIds.Contains(id, StringComparer.Ordinal))
        {
            imageIds.Add(id.Trim());
        }
    }

    [GeneratedRegex(@"^Step \d+/\d+ : ")]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^ ---> (?<id>(?:sha256:)?[0-9a-f]{12,64})\s*$")]
    private static partial Regex ImageIdLine();
}
