namespace GrainPool.Hosting.Wire;

/// <summary>
/// Counts events and lets one log line through per <see cref="Interval"/> carrying how many happened since the last
/// line, so that a flood of bad connections costs a log line every few seconds, not one each.
/// </summary>
internal sealed class RateLimitedCount(TimeProvider time)
{
    /// <summary>The least time between two log lines.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private long _pending;
    private long _lastReport;

    /// <summary>
    /// Counts one event; returns the number to report (this one and those held back) when a line is due, else 0.
    /// </summary>
    public long Add()
    {
        Interlocked.Increment(ref _pending);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastReport);
        if (last != 0 && time.GetElapsedTime(last, now) < Interval)
        {
            return 0;
        }

        return Interlocked.CompareExchange(ref _lastReport, now, last) == last ? Interlocked.Exchange(ref _pending, 0) : 0;
    }
}
