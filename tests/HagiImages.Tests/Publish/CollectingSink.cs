using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace HagiImages.Tests.Publish;

/// <summary>A Serilog sink that keeps every rendered line and can run an action on each event.</summary>
internal sealed class CollectingSink : ILogEventSink
{
    private readonly List<string> lines = [];
    private readonly Action<LogEvent>? onEvent;

    public CollectingSink(Action<LogEvent>? onEvent = null)
    {
        this.onEvent = onEvent;
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return lines.ToList();
            }
        }
    }

    public ILogger CreateLogger() => new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    public void Emit(LogEvent logEvent)
    {
        lock (lines)
        {
            lines.Add(logEvent.RenderMessage());
        }

        onEvent?.Invoke(logEvent);
    }
}
