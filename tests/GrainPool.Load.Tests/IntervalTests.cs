using System.Collections.Concurrent;

namespace GrainPool.Load.Tests;

/// <summary>A row of statistics per reporting interval, told as each interval ends, summing to the whole run.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class IntervalTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_stalled_call_and_the_late_starts_after_it_land_in_the_hand_computed_intervals_told_as_each_ends()
    {
        // As in CoordinatedOmissionTests: 50 per second for 1 s on one connection, starts planned every 20 ms, calls of
        // 5 ms, but iteration 10 (planned at 200 ms) stalls until 400 ms; iterations 11..22 then start late, back to back,
        // ending at 405..460 ms; iteration 23 on is on time again, the i-th ending at 20 i + 5 ms.
        // By end time in 250 ms intervals: [0, 250): iterations 0..9 (ends 5..185); [250, 500): 10 (400), 11..22 and
        // 23, 24 (465, 485), 15 in all, and the 12 late starts (400..455 ms); [500, 750): 25..37 (505..745), 13;
        // [750, 1000): 38..49, 12.
        var clock = new SteppingClock();
        var told = new List<(int Index, TimeSpan At)>();
        var options = new LoadRunOptions
        {
            Clock = clock,
            ReportingInterval = TimeSpan.FromMilliseconds(250),
            OnInterval = row => told.Add((row.Index, clock.Elapsed)),
        };
        var scenario = Scenario.Create("stall", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(ctx.Iteration == 10 ? 200 : 5));
                return Response.Ok();
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 50, interval: Second, during: Second, maxConcurrency: 1));

        var result = await LoadRunner.RunAsync(scenario, options);

        var rows = result.Stats.Intervals;
        Assert.Equal([0, 1, 2, 3], rows.Select(r => r.Index));
        Assert.Equal([0, 250, 500, 750], rows.Select(r => r.Start.TotalMilliseconds));
        Assert.All(rows, r => Assert.Equal(TimeSpan.FromMilliseconds(250), r.Duration));
        Assert.Equal([10L, 15, 13, 12], rows.Select(r => r.Ok.Count));
        Assert.Equal([0L, 12, 0, 0], rows.Select(r => r.LateCount));
        Assert.Equal([40.0, 60, 52, 48], rows.Select(r => r.Ok.Rps));
        Assert.Equal([10L, 15, 13, 12], rows.Select(r => Assert.Single(r.Steps).Ok.Count));
        Assert.All(rows, r => Assert.Equal(0, r.Fail.Count));
        // The stalled call is the slowest of its interval by service time (to HdrHistogram's 3 digits); the others took 5 ms.
        Assert.Equal(200, rows[1].Ok.ServiceTime.Max, 200 * 0.001);
        Assert.All(new[] { rows[0], rows[2], rows[3] }, r => Assert.Equal(5, r.Ok.ServiceTime.Max, 5 * 0.001));
        // Told during the run: the first interval when the stall's wait passed its end (the clock then read 400 ms), the
        // second when the wait for the start planned at 500 ms reached it, the others as the clock reached their ends.
        Assert.Equal(
            [(0, TimeSpan.FromMilliseconds(400)), (1, TimeSpan.FromMilliseconds(500)), (2, TimeSpan.FromMilliseconds(760)), (3, Second)],
            told);
        Assert.Equal(result.Stats.Ok.Count, rows.Sum(r => r.Ok.Count));
        Assert.Equal(result.Stats.LateCount, rows.Sum(r => r.LateCount));
    }

    [Fact]
    public async Task Rows_do_not_depend_on_the_timer_being_on_time()
    {
        // The stall scenario above on a clock whose timer never wakes: the intervals are closed by the first event at or
        // after their end (the stalled call's end at 400 ms, the waits for 500 and 760 ms, the phase's end at 1 s).
        var told = new List<TimeSpan>();
        var clock = new SteppingClock(promptTimer: false);
        var scenario = Scenario.Create("stall", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(ctx.Iteration == 10 ? 200 : 5));
                return Response.Ok();
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 50, interval: Second, during: Second, maxConcurrency: 1));

        var result = await LoadRunner.RunAsync(
            scenario, new LoadRunOptions { Clock = clock, ReportingInterval = TimeSpan.FromMilliseconds(250), OnInterval = _ => told.Add(clock.Elapsed) });

        Assert.Equal([10L, 15, 13, 12], result.Stats.Intervals.Select(r => r.Ok.Count));
        Assert.Equal([0L, 12, 0, 0], result.Stats.Intervals.Select(r => r.LateCount));
        Assert.Equal([400.0, 500, 760, 1000], told.Select(t => t.TotalMilliseconds));
    }

    [Fact]
    public async Task Rows_are_told_by_the_timer_while_a_call_is_still_running()
    {
        // One call that ends only once the third row has been told: only the timer can tell it, since nothing else
        // happens meanwhile. It fails (the wait's deadline) if the rows come only at the end.
        var thirdRowTold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scenario = Scenario.Create("waits-for-rows", async ctx =>
            {
                await thirdRowTold.Task.WaitAsync(TimeSpan.FromSeconds(20), ctx.CancellationToken);
                return Response.Ok();
            })
            .WithLoadSimulations(LoadSimulation.IterationsForConstant(copies: 1, iterations: 1));
        var options = new LoadRunOptions
        {
            ReportingInterval = TimeSpan.FromMilliseconds(50),
            OnInterval = row =>
            {
                if (row.Index == 2)
                {
                    thirdRowTold.TrySetResult();
                }
            },
        };

        var result = await LoadRunner.RunAsync(scenario, options);

        Assert.Equal((1, 0), (result.Stats.Ok.Count, result.Stats.Fail.Count));
        Assert.Equal([0L, 0, 0], result.Stats.Intervals.Take(3).Select(r => r.Ok.Count));
        Assert.Equal(1, result.Stats.Intervals.Sum(r => r.Ok.Count));
    }

    [Fact]
    public async Task The_last_interval_is_partial_and_each_row_names_the_simulation_running_at_its_end()
    {
        // 10 per second for 1 s, calls of 5 ms ending at 5, 105, ..., 905 ms, then a 1 s pause; 600 ms intervals:
        // [0, 600): 6 ends, [600, 1200): 4 (the pause runs at 1200 ms), [1200, 1800): none, [1800, 2000): none, 200 ms.
        var rows = new List<IntervalStats>();
        var scenario = Scenario.Create("partial", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(5));
                return Response.Ok();
            })
            .WithLoadSimulations(
                LoadSimulation.Inject(rate: 10, interval: Second, during: Second, maxConcurrency: 1),
                LoadSimulation.Pause(Second));

        var result = await LoadRunner.RunAsync(
            scenario, new LoadRunOptions { Clock = new SteppingClock(), ReportingInterval = TimeSpan.FromMilliseconds(600), OnInterval = rows.Add });

        Assert.Equal(rows, result.Stats.Intervals);
        Assert.Equal([6L, 4, 0, 0], rows.Select(r => r.Ok.Count));
        Assert.Equal([600.0, 600, 600, 200], rows.Select(r => r.Duration.TotalMilliseconds));
        Assert.Equal(
            ["Inject(rate: 10, interval: 00:00:01, during: 00:00:01)", "Pause(during: 00:00:01)", "Pause(during: 00:00:01)", "Pause(during: 00:00:01)"],
            rows.Select(r => r.Simulation));
        Assert.All(rows, r => Assert.Equal("partial", r.Scenario));
    }

    [Fact]
    public async Task Intervals_of_a_run_on_the_real_clock_with_concurrent_calls_sum_to_the_whole_run()
    {
        var rows = new ConcurrentQueue<IntervalStats>();
        var scenario = Scenario.Create("real")
            .WithStep("first", async ctx =>
            {
                await Task.Delay(2, ctx.CancellationToken);
                return ctx.Iteration % 7 == 3 ? Response.Fail() : Response.Ok();
            })
            .WithStep("second", _ => Task.FromResult(Response.Ok(sizeBytes: 3)))
            .WithLoadSimulations(LoadSimulation.Inject(rate: 300, interval: Second, during: Second, maxConcurrency: 8));

        var result = await LoadRunner.RunAsync(
            scenario, new LoadRunOptions { ReportingInterval = TimeSpan.FromMilliseconds(100), OnInterval = rows.Enqueue });

        var stats = result.Stats;
        Assert.Equal(rows, stats.Intervals);
        Assert.Equal(Enumerable.Range(0, rows.Count), rows.Select(r => r.Index));
        // Back to back from 0 to the run's end, 100 ms each but the last (the run lasts a little over 1 s, more on a busy machine).
        Assert.True(rows.Count >= 10);
        Assert.All(rows, r => Assert.Equal(TimeSpan.FromMilliseconds(100 * r.Index), r.Start));
        Assert.All(rows.SkipLast(1), r => Assert.Equal(TimeSpan.FromMilliseconds(100), r.Duration));
        Assert.Equal(stats.Duration, rows.Last().Start + rows.Last().Duration);
        // 300 iterations, 43 of them (iterations 3, 10, ..., 297) failing in the first step.
        Assert.Equal((257, 43), (stats.Ok.Count, stats.Fail.Count));
        Assert.Equal((257L, 43L), (rows.Sum(r => r.Ok.Count), rows.Sum(r => r.Fail.Count)));
        Assert.Equal((257L, 43L), (rows.Sum(r => r.Steps[0].Ok.Count), rows.Sum(r => r.Steps[0].Fail.Count)));
        Assert.Equal(257L, rows.Sum(r => r.Steps[1].Ok.Count));
        Assert.Equal(257 * 3L, rows.Sum(r => r.Ok.SizeBytes));
        Assert.Equal(stats.LateCount, rows.Sum(r => r.LateCount));
    }
}
