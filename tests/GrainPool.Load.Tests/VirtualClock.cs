namespace GrainPool.Load.Tests;

/// <summary>
/// A discrete-event virtual clock: time moves only when every task of the run (each scenario's driver, copy and
/// connection, as the runner declares them) waits on it, and then to the earliest wait's time. So concurrent copies see
/// exact times, as if each step took exactly the time it waits on the clock. Steps must wait on nothing but this clock
/// (and on things that complete by themselves); init and clean must not wait on it. A wait whose cancellation token
/// is cancelled ends, cancelled, without moving the clock. The reporting timer's waits (<see cref="WhenReached"/>)
/// do not move it: they complete, inline, when the clock reaches their time, before the tasks waiting for that time go on.
/// </summary>
internal sealed class VirtualClock : LoadClock
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, List<(TaskCompletionSource Wake, CancellationToken Token)>> _sleepers = [];
    private readonly List<(long Ticks, TaskCompletionSource Reached)> _watchers = [];
    private long _ticks;
    private int _running;

    public override TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public override ValueTask DelayUntil(TimeSpan time, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (time.Ticks <= _ticks)
            {
                return ValueTask.CompletedTask;
            }
            wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_sleepers.TryGetValue(time.Ticks, out var at))
            {
                _sleepers[time.Ticks] = at = [];
            }
            at.Add((wake, cancellationToken));
            _running--;
        }
        MoveIfIdle();
        return new ValueTask(wake.Task);
    }

    public override ValueTask WhenReached(TimeSpan time, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_ticks >= time.Ticks)
            {
                return ValueTask.CompletedTask;
            }
            var reached = new TaskCompletionSource();
            _watchers.Add((time.Ticks, reached));
            cancellationToken.Register(() => reached.TrySetCanceled(cancellationToken));
            return new ValueTask(reached.Task);
        }
    }

    internal override void TasksStarted(int count)
    {
        lock (_gate)
        {
            _running += count;
        }
    }

    internal override void TaskEnded()
    {
        lock (_gate)
        {
            _running--;
        }
        MoveIfIdle();
    }

    // When no task runs: wakes the waits whose token was cancelled (without moving time), or else moves the clock to
    // the earliest wait, completes the timer's waits up to it (inline), then wakes the tasks waiting for it.
    private void MoveIfIdle()
    {
        List<TaskCompletionSource> reached;
        List<(TaskCompletionSource Wake, CancellationToken Token)> woken;
        lock (_gate)
        {
            if (_running > 0 || _sleepers.Count == 0)
            {
                return;
            }
            var cancelled = _sleepers.SelectMany(s => s.Value).Where(s => s.Token.IsCancellationRequested).ToList();
            if (cancelled.Count > 0)
            {
                foreach (var (ticks, at) in _sleepers.ToList())
                {
                    at.RemoveAll(s => s.Token.IsCancellationRequested);
                    if (at.Count == 0)
                    {
                        _sleepers.Remove(ticks);
                    }
                }
                _running += cancelled.Count;
                reached = [];
                woken = cancelled;
            }
            else
            {
                var (next, atNext) = _sleepers.First();
                _sleepers.Remove(next);
                Interlocked.Exchange(ref _ticks, next);
                _running += atNext.Count;
                reached = [.. _watchers.Where(w => w.Ticks <= next).OrderBy(w => w.Ticks).Select(w => w.Reached)];
                _watchers.RemoveAll(w => w.Ticks <= next);
                woken = atNext;
            }
        }
        foreach (var watcher in reached)
        {
            watcher.TrySetResult();
        }
        foreach (var (wake, token) in woken)
        {
            if (token.IsCancellationRequested)
            {
                wake.TrySetCanceled(token);
            }
            else
            {
                wake.TrySetResult();
            }
        }
    }
}
