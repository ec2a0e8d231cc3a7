using System.Diagnostics;

namespace GrainPool.Cluster.Tests.Infrastructure;

/// <summary>
/// Waits for a condition that another thread or silo makes true (silo state has no event for every fact a test
/// needs), checking it every few milliseconds until a deadline; a missed deadline fails with what was awaited.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The deadline for something that takes milliseconds when it works (a cancellation arriving, workers going idle):
    /// generous, so that a loaded machine never fails a test; it only bounds how long a failing test takes.
    /// </summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Waits until <paramref name="condition"/> holds, at most <paramref name="within"/> after <paramref name="since"/> (default: now).</summary>
    public static Task<TimeSpan> UntilAsync(Func<bool> condition, TimeSpan within, Func<string> describe, Stopwatch? since = null) =>
        UntilAsync(() => Task.FromResult(condition()), within, describe, since);

    /// <inheritdoc cref="UntilAsync(Func{bool}, TimeSpan, Func{string}, Stopwatch?)"/>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan within, Func<string> describe, Stopwatch? since = null)
    {
        var clock = since ?? Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"Not true within {within.TotalMilliseconds:0} ms: {describe()}");
            }

            await Task.Delay(CheckInterval);
        }

        return clock.Elapsed;
    }
}
