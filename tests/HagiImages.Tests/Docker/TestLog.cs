using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace HagiImages.Tests.Docker;

/// <summary>A Serilog logger that keeps every event (debug level and up) in memory for assertions.</summary>
public sealed class TestLog : ILogEventSink
{
    private readonly List<LogEvent> events = [];

    public TestLog() =>
        Logger = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(this).CreateLogger();

    public ILogger Logger { get; }

    /// <summary>Rendered messages of all events so far.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (events)
            {
                return events.Select(logEvent => logEvent.RenderMessage()).ToList();
            }
        }
    }

    /// <summary>Rendered messages of the events at <paramref name="level"/>.</summary>
    public IReadOnlyList<string> MessagesAt(LogEventLevel level)
    {
        lock (events)
        {
            return events.Where(logEvent => logEvent.Level == level).Select(logEvent => logEvent.RenderMessage()).ToList();
        }
    }

    public void Emit(LogEvent logEvent)
    {
        lock (events)
        {
            events.Add(logEvent);
        }
    }
}
