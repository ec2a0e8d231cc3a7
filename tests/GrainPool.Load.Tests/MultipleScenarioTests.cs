namespace GrainPool.Load.Tests;

/// <summary>Several scenarios run together on one clock, each measured on its own.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class MultipleScenarioTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static Func<StepContext, Task<Response>> Taking(int milliseconds, Action? onCall = null) => async ctx =>
    {
        onCall?.Invoke();
        await ctx.Clock.Delay(TimeSpan.FromMilliseconds(milliseconds));
        return Response.Ok();
    };

    [Fact]
    public async Task Two_scenarios_at_once_each_get_their_own_counts_and_intervals()
    {
        var (openCalls, closedCalls) = (0, 0);
        var open = Scenario.Create("open", Taking(10, () => Interlocked.Increment(ref openCalls)))
            .WithLoadSimulations(LoadSimulation.Inject(rate: 20, interval: Second, during: Second, maxConcurrency: 1));
        var closed = Scenario.Create("closed", Taking(50, () => Interlocked.Increment(ref closedCalls)))
            .WithLoadSimulations(
                LoadSimulation.IterationsForConstant(copies: 3, iterations: 30),
                LoadSimulation.KeepConstant(copies: 1, during: Second));
        var rows = new List<IntervalStats>();

        var results = await LoadRunner.RunAsync(
            [open, closed],
            new LoadRunOptions { Clock = new VirtualClock(), ReportingInterval = TimeSpan.FromMilliseconds(400), OnInterval = r => { lock (rows) { rows.Add(r); } } });

        Assert.Equal(["open", "closed"], results.Select(r => r.Stats.Name));
        var (openStats, closedStats) = (results[0].Stats, results[1].Stats);
        // Open: 20 calls of 10 ms, ending at 10 + 50 i ms: 8, 8 and 4 in 400 ms intervals, the run's last 200 ms long.
        Assert.Equal(20, openCalls);
        Assert.Equal(20, openStats.Ok.Count);
        Assert.Equal(Second, openStats.Duration);
        Assert.Equal([8L, 8, 4], openStats.Intervals.Select(r => r.Ok.Count));
        // Closed, from the same start: 30 calls of 50 ms on 3 copies end by threes at 50, 100, ..., 500 ms, then one copy
        // for 1 s ends calls at 550, 600, ..., 1500 ms: 21, 9 + 5, 8 and 7 in 400 ms intervals, the last 300 ms long.
        Assert.Equal(50, closedCalls);
        Assert.Equal(50, closedStats.Ok.Count);
        Assert.Equal([30L, 20L], closedStats.Simulations.Select(s => s.AchievedCount));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), closedStats.Duration);
        Assert.Equal([21L, 14, 8, 7], closedStats.Intervals.Select(r => r.Ok.Count));
        Assert.Equal(300, closedStats.Intervals[^1].Duration.TotalMilliseconds);
        Assert.Equal(7, rows.Count);
        Assert.Equal(openStats.Intervals, rows.Where(r => r.Scenario == "open"));
        Assert.Equal(closedStats.Intervals, rows.Where(r => r.Scenario == "closed"));
    }

    [Fact]
    public async Task An_aborting_threshold_of_one_scenario_stops_the_others_too()
    {
        // "failing" fails every call planned from 2.5 s on: by 3 s, 50 of 300, and it aborts at 3 s. "steady" runs two
        // copies of 100 ms calls, whose calls ending at 3 s finish and are the last: 30 each.
        var failing = Scenario.Create("failing", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(5));
                return ctx.IntendedStart >= TimeSpan.FromSeconds(2.5) ? Response.Fail() : Response.Ok();
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: Second, during: TimeSpan.FromSeconds(10), maxConcurrency: 1))
            .WithThresholds(Threshold.FailPercentBelow(1).AbortWhenFailed());
        var steady = Scenario.Create("steady", Taking(100))
            .WithLoadSimulations(LoadSimulation.KeepConstant(copies: 2, during: TimeSpan.FromSeconds(10)));

        var results = await LoadRunner.RunAsync([failing, steady], new LoadRunOptions { Clock = new VirtualClock(), ReportingInterval = Second });

        Assert.All(results, r => Assert.True(r.Aborted));
        Assert.All(results, r => Assert.Equal("Threshold 'fail% < 1' of scenario 'failing' failed at 00:00:03.", r.AbortReason));
        Assert.Equal((250, 50), (results[0].Stats.Ok.Count, results[0].Stats.Fail.Count));
        Assert.Equal(60, results[1].Stats.Ok.Count);
        Assert.All(results, r => Assert.Equal(TimeSpan.FromSeconds(3), r.Stats.Duration));
        Assert.True(results[1].Passed);
        Assert.False(results[0].Passed);
    }

    [Fact]
    public async Task Scenario_names_must_be_unique()
    {
        var step = Taking(1);
        var one = Scenario.Create("same", step).WithLoadSimulations(LoadSimulation.IterationsForConstant(1, 1));
        var other = Scenario.Create("other", step).WithLoadSimulations(LoadSimulation.IterationsForConstant(1, 1));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LoadRunner.RunAsync([one, other, one], new LoadRunOptions { Clock = new SteppingClock() }));

        Assert.Contains("'same'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'other'", error.Message, StringComparison.Ordinal);
    }
}
