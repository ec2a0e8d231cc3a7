namespace GrainPool.Load.Tests;

/// <summary>Thresholds checked at each interval's end on the statistics so far: StartCheckAfter, AbortWhenFailed, FailedAt.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class LiveThresholdTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    // 100 per second for 10 s on one connection, 5 ms calls: the i-th planned at 10 i ms, ending at 10 i + 5 ms.
    private static Scenario Failing(string name, Func<TimeSpan, bool> failsWhenPlannedAt, Action? onCall = null) =>
        Scenario.Create(name, async ctx =>
            {
                onCall?.Invoke();
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(5));
                return failsWhenPlannedAt(ctx.IntendedStart) ? Response.Fail("500") : Response.Ok();
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: Second, during: TimeSpan.FromSeconds(10), maxConcurrency: 1));

    private static LoadRunOptions EverySecond(LoadClock clock) => new() { Clock = clock, ReportingInterval = Second };

    [Fact]
    public async Task AbortWhenFailed_stops_the_run_at_the_end_of_the_first_interval_whose_statistics_so_far_fail()
    {
        // Calls planned from 2.5 s on fail. By 1 s and 2 s nothing has failed; by 3 s, 50 of 300 (16.7 %): the run stops
        // at 3 s. The call planned at 3 s is not started; clean still runs.
        var calls = 0;
        var cleaned = false;
        var scenario = Failing("abort", planned => planned >= TimeSpan.FromSeconds(2.5), () => Interlocked.Increment(ref calls))
            .WithClean(_ => { cleaned = true; return Task.CompletedTask; })
            .WithThresholds(Threshold.FailPercentBelow(1).AbortWhenFailed(), Threshold.LatencyP99Below(TimeSpan.FromMilliseconds(50)));

        var result = await LoadRunner.RunAsync(scenario, EverySecond(new SteppingClock()));

        Assert.True(result.Aborted);
        Assert.Equal("Threshold 'fail% < 1' of scenario 'abort' failed at 00:00:03.", result.AbortReason);
        Assert.False(result.Passed);
        Assert.Equal(["fail% < 1"], result.FailedThresholds);
        Assert.Equal([TimeSpan.FromSeconds(3), null], result.Thresholds.Select(t => t.FailedAt));
        Assert.Equal(300, calls);
        Assert.Equal((250, 50), (result.Stats.Ok.Count, result.Stats.Fail.Count));
        Assert.Equal(TimeSpan.FromSeconds(3), result.Stats.Duration);
        Assert.Equal([0L, 0, 50], result.Stats.Intervals.Select(r => r.Fail.Count));
        var phase = Assert.Single(result.Stats.Simulations);
        Assert.Equal((1000L, 300L), (phase.PlannedCount!.Value, phase.AchievedCount));
        Assert.True(cleaned);
    }

    [Fact]
    public async Task AbortWhenFailed_on_the_real_clock_stops_the_waiting_connections_and_the_phase_long_before_its_end()
    {
        var cleaned = false;
        var scenario = Scenario.Create("real-abort", async ctx =>
            {
                await Task.Delay(1, ctx.CancellationToken);
                return Response.Fail("503");
            })
            .WithClean(_ => { cleaned = true; return Task.CompletedTask; })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: Second, during: TimeSpan.FromSeconds(60), maxConcurrency: 8))
            .WithThresholds(Threshold.FailPercentBelow(1).AbortWhenFailed());

        var result = await LoadRunner.RunAsync(scenario, new LoadRunOptions { ReportingInterval = TimeSpan.FromMilliseconds(200) });

        Assert.True(result.Aborted);
        Assert.True(cleaned);
        // It failed at the end of the first interval in which a call ended (failed), and stopped there: the calls
        // running then finished, no later one started.
        var first = result.Stats.Intervals.First(r => r.Fail.Count > 0);
        Assert.Equal(first.Start + first.Duration, Assert.Single(result.Thresholds).FailedAt);
        Assert.InRange(result.Stats.Duration, first.Start + first.Duration, TimeSpan.FromSeconds(20));
        Assert.Equal(0, result.Stats.Ok.Count);
        Assert.Equal(result.Stats.Fail.Count, result.Stats.Intervals.Sum(r => r.Fail.Count));
        Assert.Equal(result.Stats.Fail.Count, Assert.Single(result.Stats.Simulations).AchievedCount);
    }

    [Fact]
    public async Task Cancelling_the_run_ends_it_in_OperationCanceledException_after_clean()
    {
        using var cancel = new CancellationTokenSource();
        var cleaned = false;
        var calls = 0;
        var scenario = Scenario.Create("cancelled", async ctx =>
            {
                if (Interlocked.Increment(ref calls) == 20)
                {
                    await cancel.CancelAsync();
                }
                await Task.Delay(1, ctx.CancellationToken);
                return Response.Ok();
            })
            .WithClean(_ => { cleaned = true; return Task.CompletedTask; })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: Second, during: TimeSpan.FromSeconds(60), maxConcurrency: 4));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LoadRunner.RunAsync(scenario, new LoadRunOptions(), cancel.Token));

        Assert.True(cleaned);
    }

    [Fact]
    public async Task StartCheckAfter_skips_the_checks_before_its_time()
    {
        // As above, but checked from 5 s on: by 5 s, 250 of 500 failed.
        var scenario = Failing("late-check", planned => planned >= TimeSpan.FromSeconds(2.5))
            .WithThresholds(Threshold.FailPercentBelow(1).StartCheckAfter(TimeSpan.FromSeconds(5)).AbortWhenFailed());

        var result = await LoadRunner.RunAsync(scenario, EverySecond(new SteppingClock()));

        Assert.True(result.Aborted);
        Assert.Equal(TimeSpan.FromSeconds(5), Assert.Single(result.Thresholds).FailedAt);
        Assert.Equal((250, 250), (result.Stats.Ok.Count, result.Stats.Fail.Count));
        Assert.Equal(5, result.Stats.Intervals.Count);
    }

    [Fact]
    public async Task A_threshold_that_fails_during_the_run_fails_the_run_even_if_the_whole_run_passes_it()
    {
        // The first 10 calls (planned before 100 ms) fail: 10 % by 1 s, 5 % by 2 s, 3.3 % by 3 s, 1 % in the end.
        var scenario = Failing("recovers", planned => planned < TimeSpan.FromMilliseconds(100))
            .WithThresholds(
                Threshold.FailPercentBelow(5),
                Threshold.FailPercentBelow(5).StartCheckAfter(TimeSpan.FromSeconds(3)),
                // Passes at every interval's end (890 ok by 9 s), fails only on the whole run (990).
                new Threshold("fewer than 950 ok", s => s.Ok.Count < 950));

        var result = await LoadRunner.RunAsync(scenario, EverySecond(new SteppingClock()));

        Assert.False(result.Aborted);
        Assert.Null(result.AbortReason);
        Assert.Equal(1, result.Stats.FailPercent, 9);
        Assert.Equal([false, true, false], result.Thresholds.Select(t => t.Passed));
        Assert.Equal([Second, null, TimeSpan.FromSeconds(10)], result.Thresholds.Select(t => t.FailedAt));
        Assert.False(result.Passed);
        Assert.Equal(1000, result.Stats.Ok.Count + result.Stats.Fail.Count);
    }
}
