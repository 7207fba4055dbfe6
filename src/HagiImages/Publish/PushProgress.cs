using System.Text.Json;
using Docker.DotNet.Models;

namespace HagiImages.Publish;

/// <summary>
/// Collects the progress stream of one push. The engine reports a failed push as a message with an
/// <c>errorDetail</c>, not as an HTTP error, and the pushed manifest digest in an <c>aux</c> message
/// (<c>{"Tag", "Digest", "Size"}</c>). Report runs on the caller's thread, unlike <see cref="Progress{T}"/>,
/// so every message is seen before the push call returns.
/// </summary>
internal sealed class PushProgress : IProgress<JSONMessage>
{
    private readonly object gate = new();

    /// <summary>Message of the first error, or null when the push succeeded.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>Code of the first error, when the engine sent one.</summary>
    public long? ErrorCode { get; private set; }

    /// <summary>Digest from the aux message, or null when the engine sent none.</summary>
    public string? Digest { get; private set; }

    /// <summary>Number of layers the engine reported as pushed or as already in the registry.</summary>
    public int LayerCount { get; private set; }

    /// <summary>
    /// Whether the error is the registry rejecting a missing or wrong login. Docker 20.10 reports that as
    /// <c>no basic auth credentials</c>, <c>unauthorized: ...</c> or <c>denied: ...</c>.
    /// </summary>
    public bool IsAuthenticationError =>
        ErrorCode == 401
        || (ErrorMessage is { } message
            && (message.Contains("no basic auth credentials", StringComparison.OrdinalIgnoreCase)
                || message.Contains("unauthorized", StringComparison.OrdinalIgnoreCase)
                || message.Contains("authentication required", StringComparison.OrdinalIgnoreCase)
                || message.StartsWith("denied", StringComparison.OrdinalIgnoreCase)));

    public void Report(JSONMessage value)
    {
        ArgumentNullException.ThrowIfNull(value);

        lock (gate)
        {
            if (value.Error is { } error && ErrorMessage is null)
            {
                ErrorMessage = string.IsNullOrWhiteSpace(error.Message) ? "the engine reported an error without a message" : error.Message;
                ErrorCode = error.Code;
            }

            if (value.Status is "Pushed" or "Layer already exists")
            {
                LayerCount++;
            }

            if (value.Aux?.ExtensionData is { } aux && aux.TryGetValue("Digest", out var digest))
            {
                Digest = digest is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString() : digest?.ToString();
            }
        }
    }
}
