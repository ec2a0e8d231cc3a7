using System.Collections.Concurrent;
using System.Diagnostics;

namespace GrainPool.Grains;

/// <summary>
/// The jobs cancelled on this silo. <see cref="JobControlGrain"/> adds them; every worker of the silo checks its chunk's job
/// between slices and before starting. A job is remembered for at least <see cref="Retention"/>, long enough for any
/// chunk the client had already sent to arrive and be refused; expired jobs are dropped by the next cancellation after
/// them (a sweep at most every quarter retention), so memory stays bounded however many jobs are cancelled.
/// </summary>
/// <param name="retention">How long a cancelled job is remembered.</param>
/// <param name="time">The clock (tests pass their own); the system clock by default.</param>
public sealed class JobCancellations(TimeSpan retention, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<Guid, long> _expiry = new();
    private long _nextSweep;
    private long _lastCancelledAt;

    /// <summary>Remembers cancelled jobs for ten minutes.</summary>
    public JobCancellations()
        : this(TimeSpan.FromMinutes(10))
    {
    }

    /// <summary>How long a cancelled job is remembered.</summary>
    public TimeSpan Retention { get; } = retention;

    /// <summary>Jobs remembered now, expired ones included until the next sweep.</summary>
    public int Count => _expiry.Count;

    /// <summary>When the last cancellation arrived (a <see cref="Stopwatch"/> timestamp; 0 before the first).</summary>
    public long LastCancelledAt => Interlocked.Read(ref _lastCancelledAt);

    /// <summary>Marks <paramref name="job"/> cancelled; its running chunks stop at their next slice, later ones at once.</summary>
    public void Cancel(Guid job)
    {
        var now = _time.GetTimestamp();
        var retention = (long)(Retention.TotalSeconds * _time.TimestampFrequency);
        _expiry[job] = now + retention;
        Interlocked.Exchange(ref _lastCancelledAt, Stopwatch.GetTimestamp());
        var sweep = Interlocked.Read(ref _nextSweep);
        if (now >= sweep && Interlocked.CompareExchange(ref _nextSweep, now + (retention / 4), sweep) == sweep)
        {
            foreach (var (id, expires) in _expiry)
            {
                if (expires <= now)
                {
                    _expiry.TryRemove(new KeyValuePair<Guid, long>(id, expires));
                }
            }
        }
    }

    /// <summary>Whether <paramref name="job"/> was cancelled on this silo.</summary>
    public bool IsCancelled(Guid job) => _expiry.ContainsKey(job);
}
