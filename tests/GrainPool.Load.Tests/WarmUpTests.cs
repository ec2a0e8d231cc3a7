using System.Collections.Concurrent;

namespace GrainPool.Load.Tests;

/// <summary>The warm-up runs the first simulation's shape before the measured load, and nothing of it is reported.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class WarmUpTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Warm_up_iterations_run_first_and_are_in_no_statistics_interval_or_threshold()
    {
        var warmUpCalls = 0;
        var measured = new ConcurrentQueue<(long Iteration, TimeSpan IntendedStart)>();
        var scenario = Scenario.Create("warm", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(5));
                if (ctx.IsWarmUp)
                {
                    Interlocked.Increment(ref warmUpCalls);
                    // Failures while warming up would fail the threshold below if they were counted.
                    return Response.Fail(message: "cold");
                }
                measured.Enqueue((ctx.Iteration, ctx.IntendedStart));
                return Response.Ok();
            })
            .WithWarmUpDuration(TimeSpan.FromMilliseconds(500))
            .WithLoadSimulations(LoadSimulation.Inject(rate: 10, interval: Second, during: Second, maxConcurrency: 1))
            .WithThresholds(Threshold.FailPercentBelow(0.01));

        var result = await LoadRunner.RunAsync(
            scenario, new LoadRunOptions { Clock = new SteppingClock(), ReportingInterval = TimeSpan.FromMilliseconds(400) });

        // The warm-up is Inject(10 per second) for 0.5 s: 5 calls, at 0..400 ms; the measured load then starts at 500 ms.
        Assert.Equal(5, warmUpCalls);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => ((long)i, TimeSpan.FromMilliseconds(500 + 100 * i))), measured.OrderBy(m => m.Iteration));
        Assert.Equal((10, 0), (result.Stats.Ok.Count, result.Stats.Fail.Count));
        Assert.Equal((10, 0), (result.Stats.Steps[0].Ok.Count, result.Stats.Steps[0].Fail.Count));
        Assert.Equal(10, Assert.Single(result.Stats.Simulations).AchievedCount);
        Assert.Equal(Second, result.Stats.Duration);
        // Intervals from the measured start: ends at 5, 105, ..., 905 ms after it; 400 ms intervals hold 4, 4, 2.
        Assert.Equal([0.0, 400, 800], result.Stats.Intervals.Select(r => r.Start.TotalMilliseconds));
        Assert.Equal([4L, 4, 2], result.Stats.Intervals.Select(r => r.Ok.Count));
        Assert.All(result.Stats.Intervals, r => Assert.Equal(0, r.Fail.Count));
        Assert.True(result.Passed);
    }

    [Fact]
    public async Task An_iterations_count_warms_up_as_time_at_the_same_copies()
    {
        var warmUpCalls = 0;
        var measuredCalls = 0;
        var scenario = Scenario.Create("warm-closed", async ctx =>
            {
                Interlocked.Increment(ref ctx.IsWarmUp ? ref warmUpCalls : ref measuredCalls);
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(100));
                return Response.Ok();
            })
            .WithWarmUpDuration(TimeSpan.FromMilliseconds(300))
            .WithLoadSimulations(LoadSimulation.IterationsForConstant(copies: 2, iterations: 7));

        var result = await LoadRunner.RunAsync(scenario, new VirtualClock());

        // KeepConstant(2 copies, 0.3 s) of 100 ms iterations: 3 each.
        Assert.Equal(6, warmUpCalls);
        Assert.Equal(7, measuredCalls);
        Assert.Equal(7, result.Stats.Ok.Count);
        // 7 iterations on 2 copies: 4 rounds of 100 ms, from the measured start.
        Assert.Equal(TimeSpan.FromMilliseconds(400), result.Stats.Duration);
    }
}
