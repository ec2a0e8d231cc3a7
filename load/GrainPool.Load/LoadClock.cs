using System.Diagnostics;

namespace GrainPool.Load;

/// <summary>
/// The time the runner schedules iterations by and measures latencies with. <see cref="Real"/> is the machine's clock;
/// tests pass their own to make the measured times exact.
/// </summary>
public abstract class LoadClock
{
    /// <summary>The machine's monotonic clock (<see cref="Stopwatch"/>), waited on with <see cref="Task.Delay(TimeSpan, CancellationToken)"/>.</summary>
    public static LoadClock Real { get; } = new RealLoadClock();

    /// <summary>Time since an arbitrary fixed origin; never goes back.</summary>
    public abstract TimeSpan Elapsed { get; }

    /// <summary>Completes once <see cref="Elapsed"/> has reached <paramref name="time"/> (at once if it already has).</summary>
    public abstract ValueTask DelayUntil(TimeSpan time, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes once <see cref="Elapsed"/> has reached <paramref name="time"/>, without making time pass: what the
    /// runner's reporting timer waits on. A real clock passes by itself, so by default this is
    /// <see cref="DelayUntil"/>; a virtual clock whose waits move it forward completes this when something else has
    /// moved it past <paramref name="time"/>.
    /// </summary>
    public virtual ValueTask WhenReached(TimeSpan time, CancellationToken cancellationToken = default) =>
        DelayUntil(time, cancellationToken);

    /// <summary>
    /// Told that <paramref name="count"/> more of the run's tasks (a scenario's driver, a copy, a connection) are running
    /// and will wait on this clock. A discrete-event virtual clock moves only while every such task waits on it, so
    /// that concurrent copies see exact times; a real clock ignores this.
    /// </summary>
    internal virtual void TasksStarted(int count)
    {
    }

    /// <summary>Told that one of the tasks of <see cref="TasksStarted"/> has ended.</summary>
    internal virtual void TaskEnded()
    {
    }

    /// <summary>Completes after <paramref name="duration"/> on this clock (a step's simulated service time, say).</summary>
    public ValueTask Delay(TimeSpan duration, CancellationToken cancellationToken = default) =>
        DelayUntil(Elapsed + duration, cancellationToken);

    private sealed class RealLoadClock : LoadClock
    {
        private readonly long _origin = Stopwatch.GetTimestamp();

        public override TimeSpan Elapsed => Stopwatch.GetElapsedTime(_origin);

        public override async ValueTask DelayUntil(TimeSpan time, CancellationToken cancellationToken = default)
        {
            // Task.Delay counts whole milliseconds and may wake a little early, so the wait is repeated until the time
            // has really come: an iteration never starts before its intended time.
            TimeSpan remaining;
            while ((remaining = time - Elapsed) > TimeSpan.Zero)
            {
                await Task.Delay(remaining < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : remaining, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }
}
