using GrainPool.Client;
using Microsoft.Extensions.Logging;

namespace GrainPool.Cluster.Tests.Infrastructure;

/// <summary>A logger for <see cref="GrainPoolClient"/> that keeps every entry (event id and formatted message).</summary>
internal sealed class RecordingLogger : ILogger<GrainPoolClient>
{
    private readonly List<(int EventId, string Message)> _entries = [];

    public IReadOnlyList<(int EventId, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((eventId.Id, formatter(state, exception)));
        }
    }
}
