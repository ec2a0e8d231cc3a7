using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GrainPool.Cluster.Tests.Infrastructure;

/// <summary>
/// Records what GrainPool's own code logs (categories <c>GrainPool.*</c>, Information and above): as a logger provider
/// of a silo or a host, or as the logger handed to one class (<see cref="CreateLogger{T}"/>), so tests can check the
/// event ids and values the grains and the client log. Also compiled into GrainPool.Cli.Tests.
/// </summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Everything recorded so far, oldest first.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("GrainPool.", StringComparison.Ordinal) ? new Recorder(this, categoryName) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>A logger of <typeparamref name="T"/>'s category that records here, for a class built by hand.</summary>
    public ILogger<T> CreateLogger<T>() => new TypedRecorder<T>(this);

    public void Dispose()
    {
    }

    private sealed class TypedRecorder<T>(LogRecorder owner) : Recorder(owner, typeof(T).FullName!), ILogger<T>;

    private class Recorder(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var values = state is IReadOnlyList<KeyValuePair<string, object?>> pairs
                ? pairs.Where(p => p.Key != "{OriginalFormat}").ToDictionary(p => p.Key, p => p.Value)
                : [];
            owner._entries.Enqueue(new LogEntry(category, eventId.Id, logLevel, formatter(state, exception), values, exception));
        }
    }
}

/// <summary>One recorded log message with its structured values.</summary>
internal sealed record LogEntry(string Category, int EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception);
