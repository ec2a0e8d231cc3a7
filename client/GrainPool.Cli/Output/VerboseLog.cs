using Microsoft.Extensions.Logging;

namespace GrainPool.Cli.Output;

/// <summary>
/// With <c>--verbose</c>, what the cluster client notices (a silo lost, a chunk run again, a gateway that cannot be
/// reached: the levels GrainPoolConnection lets through) as lines on standard error while the job runs, which the
/// console log, silenced for grainpool's own output, would not show. One line per entry, with the seconds since the
/// command started and the level (<c>grainpool: log: +1.25 s warn: GrainPoolClient: message (Exception: message)</c>),
/// never a stack, and never mistaken for the command's own error line (<c>grainpool: error: ...</c>); standard output
/// keeps only the result, so <c>--json</c> stays one object.
/// </summary>
internal sealed class VerboseLog(TextWriter error) : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, ShortName(categoryName));

    /// <inheritdoc />
    public void Dispose()
    {
    }

    // The last part of a type's name is enough to tell the sources apart (SiloWatch, Gateway, GrainPoolClient).
    private static string ShortName(string category) => category[(category.LastIndexOf('.') + 1)..];

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        var label = level switch { >= LogLevel.Error => "error", LogLevel.Warning => "warn", _ => "info" };
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var line = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"grainpool: log: +{seconds:0.00} s {label}: {category}: {message}");
        if (exception is not null && !message.Contains(exception.Message, StringComparison.Ordinal))
        {
            line += $" ({exception.GetType().Name}: {exception.Message})";
        }

        line = ErrorLine.Clean(line);
        lock (_gate)
        {
            error.WriteLine(line);
            error.Flush();
        }
    }

    private sealed class Logger(VerboseLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None; // the host's filter rules choose

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(logLevel, category, formatter(state, exception), exception);
            }
        }
    }
}
