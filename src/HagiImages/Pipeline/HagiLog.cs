using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace HagiImages.Pipeline;

/// <summary>
/// Creates the Serilog logger that the build host and every stage write to.
/// </summary>
public static class HagiLog
{
    /// <summary>
    /// Configures <see cref="Log.Logger"/> to write structured lines to the console at the given level.
    /// </summary>
    public static ILogger Configure(bool verbose = false)
    {
        var level = new LoggingLevelSwitch(verbose ? LogEventLevel.Debug : LogEventLevel.Information);
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.ControlledBy(level)
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Warning)
            .CreateLogger();
        return Log.Logger;
    }
}
