namespace GrainPool.Load.Tests;

/// <summary>
/// A virtual clock that jumps: waiting until a time moves the clock there at once. It is exact only while one
/// iteration runs at a time (open simulations with maxConcurrency 1, closed ones with one copy), where waits never
/// overlap; then every measured time is the planned arithmetic, with no scheduler noise, and a run takes no real time.
/// </summary>
internal sealed class SteppingClock : LoadClock
{
    private long _ticks;

    public override TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public override ValueTask DelayUntil(TimeSpan time, CancellationToken cancellationToken = default)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _ticks)) < time.Ticks && Interlocked.CompareExchange(ref _ticks, time.Ticks, seen) != seen)
        {
        }
        return ValueTask.CompletedTask;
    }
}
