using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace HagiImages.Tests.Npm;

/// <summary>A Serilog sink that keeps every event, so tests can read what was logged.</summary>
internal sealed class InMemorySink : ILogEventSink
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    /// <summary>Every rendered message, property value and exception message, one per line.</summary>
    public string AllText => string.Join(
        '\n',
        Events.Select(logEvent => string.Join(
            ' ',
            new[] { logEvent.RenderMessage(), logEvent.Exception?.ToString() ?? "" }
                .Concat(logEvent.Properties.Select(property => $"{property.Key}={property.Value}")))));

    public static (ILogger Logger, InMemorySink Sink) CreateLogger()
    {
        var sink = new InMemorySink();
        var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        return (logger, sink);
    }

    public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
}
