namespace GrainPool.Load.Tests;

/// <summary>
/// A virtual clock that jumps: waiting until a time moves the clock there at once. It is exact only while one
/// iteration runs at a time (open simulations with maxConcurrency 1, closed ones with one copy), where waits never
/// overlap; then every measured time is the planned arithmetic, with no scheduler noise, and a run takes no real time.
/// The reporting timer's waits (<see cref="WhenReached"/>) do not move it: they complete, on the thread that moved the
/// clock and before that thread goes on, when a wait has moved it to or past their time; or, with
/// <paramref name="promptTimer"/> false, never (a timer that is always late), to show what does not depend on it.
/// </summary>
internal sealed class SteppingClock(bool promptTimer = true) : LoadClock
{
    private readonly Lock _gate = new();
    private readonly List<(long Ticks, TaskCompletionSource Reached)> _waiters = [];
    private long _ticks;

    public override TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public override ValueTask DelayUntil(TimeSpan time, CancellationToken cancellationToken = default)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _ticks)) < time.Ticks && Interlocked.CompareExchange(ref _ticks, time.Ticks, seen) != seen)
        {
        }
        ReleaseReached();
        return ValueTask.CompletedTask;
    }

    public override ValueTask WhenReached(TimeSpan time, CancellationToken cancellationToken = default)
    {
        if (!promptTimer)
        {
            return new ValueTask(Task.Delay(Timeout.Infinite, cancellationToken));
        }
        lock (_gate)
        {
            if (Interlocked.Read(ref _ticks) >= time.Ticks)
            {
                return ValueTask.CompletedTask;
            }
            // Continuations run inline, so the timer's work is done at the moment the clock passes its time.
            var reached = new TaskCompletionSource();
            _waiters.Add((time.Ticks, reached));
            cancellationToken.Register(() => reached.TrySetCanceled(cancellationToken));
            return new ValueTask(reached.Task);
        }
    }

    private void ReleaseReached()
    {
        List<TaskCompletionSource> due;
        lock (_gate)
        {
            var now = Interlocked.Read(ref _ticks);
            due = [.. _waiters.Where(w => w.Ticks <= now).OrderBy(w => w.Ticks).Select(w => w.Reached)];
            _waiters.RemoveAll(w => w.Ticks <= now);
        }
        foreach (var reached in due)
        {
            reached.TrySetResult();
        }
    }
}
