using Docker.DotNet.Models;
using Serilog;

namespace HagiImages.Docker;

/// <summary>
/// Receives the JSON messages of a pull or import on the caller's thread, logs them at debug level and keeps the
/// first error.
/// </summary>
internal sealed class EngineMessageProgress : IProgress<JSONMessage>
{
    private readonly ILogger logger;
    private readonly string subject;

    public EngineMessageProgress(ILogger logger, string subject)
    {
        this.logger = logger;
        this.subject = subject;
    }

    /// <summary>The first error message the engine reported, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>The last status line, such as the id of an imported image.</summary>
    public string? LastStatus { get; private set; }

    public void Report(JSONMessage value)
    {
        if (value.Error is { } error)
        {
            Error ??= error.Message ?? $"error code {error.Code}";
            logger.Debug("{Subject}: error {Error}", subject, error.Message);
            return;
        }

        if (value.Status is { Length: > 0 } status)
        {
            LastStatus = status.Trim();
            if (value.Progress is null)
            {
                logger.Debug("{Subject}: {Status} {Id}", subject, LastStatus, value.ID ?? "");
            }
        }
    }
}
