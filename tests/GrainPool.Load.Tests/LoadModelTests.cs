using System.Collections.Concurrent;

namespace GrainPool.Load.Tests;

/// <summary>RampingConstant, InjectRandom and IterationsForInject plan and run what NBomber's definitions say.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class LoadModelTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void RampingConstant_copies_join_and_leave_where_the_linear_target_rounded_up_changes()
    {
        // Up from 0 to 4 over 4 s: the target is t copies, rounded up 1 from 0 s, 2 from 1 s, 3 from 2 s, 4 from 3 s.
        var up = LoadSimulation.RampingConstant(copies: 4, during: TimeSpan.FromSeconds(4));
        Assert.Equal(4, up.CopyCount(0));
        Assert.Equal(
            [(0.0, 4.0), (1.0, 4.0), (2.0, 4.0), (3.0, 4.0)],
            Enumerable.Range(1, 4).Select(copy => Seconds(up.CopyWindow(0, copy))));
        // Down from 6 to 2 over 2 s: the target is 6 - 2 t, rounded up 6 until 0.5 s, 5 until 1 s, 4 until 1.5 s, 3
        // until 2 s; copies 1 and 2 stay to the end.
        var down = LoadSimulation.RampingConstant(copies: 2, during: TimeSpan.FromSeconds(2));
        Assert.Equal(6, down.CopyCount(6));
        Assert.Equal(
            [(0.0, 2.0), (0.0, 2.0), (0.0, 2.0), (0.0, 1.5), (0.0, 1.0), (0.0, 0.5)],
            Enumerable.Range(1, 6).Select(copy => Seconds(down.CopyWindow(6, copy))));
    }

    [Fact]
    public async Task RampingConstant_up_then_down_runs_the_hand_computed_iterations_per_phase()
    {
        var calls = 0;
        var scenario = Scenario.Create("ramps", async ctx =>
            {
                Interlocked.Increment(ref calls);
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(100));
                return Response.Ok();
            })
            .WithLoadSimulations(
                LoadSimulation.RampingConstant(copies: 4, during: TimeSpan.FromSeconds(4)),
                LoadSimulation.RampingConstant(copies: 0, during: TimeSpan.FromSeconds(2)));

        var result = await LoadRunner.RunAsync(scenario, new VirtualClock());

        // 100 ms iterations back to back. Up: copies join at 0, 1, 2, 3 s and run to 4 s: 40 + 30 + 20 + 10. Down from
        // 4 to 0 over 2 s: copy n stops at (5 - n) / 4 x 2 s, that is 2, 1.5, 1, 0.5 s: 20 + 15 + 10 + 5.
        Assert.Equal(100, result.Stats.Simulations[0].AchievedCount);
        Assert.Equal(50, result.Stats.Simulations[1].AchievedCount);
        Assert.All(result.Stats.Simulations, s => Assert.Null(s.PlannedCount));
        Assert.Equal(150, result.Stats.Ok.Count);
        Assert.Equal(150, calls);
        Assert.Equal(TimeSpan.FromSeconds(6), result.Stats.Duration);
        // Every iteration took its 100 ms (to HdrHistogram's 3 digits): none started late.
        Assert.Equal(100, result.Stats.Ok.Latency.Max, 100 * 0.001);
    }

    [Fact]
    public async Task RampingConstant_starts_from_the_copies_of_the_closed_phase_before_it()
    {
        var scenario = Scenario.Create("from-keep", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(100));
                return Response.Ok();
            })
            .WithLoadSimulations(
                LoadSimulation.KeepConstant(copies: 2, during: Second),
                LoadSimulation.RampingConstant(copies: 4, during: TimeSpan.FromSeconds(2)));

        var result = await LoadRunner.RunAsync(scenario, new VirtualClock());

        // 2 copies for 1 s: 20. Then from 2 to 4 over 2 s: copies 1 and 2 for 2 s (40), copy 3 from 0 s (20), copy 4
        // from 1 s (10).
        Assert.Equal([20L, 70L], result.Stats.Simulations.Select(s => s.AchievedCount));
    }

    [Fact]
    public async Task InjectRandom_with_a_seed_repeats_its_plan_and_draws_each_interval_s_rate_within_the_bounds()
    {
        const int min = 5, max = 15, intervals = 12;
        var (first, firstResult) = await RunRandom(seed: 7);
        var (again, _) = await RunRandom(seed: 7);
        var (other, _) = await RunRandom(seed: 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        var phase = Assert.Single(firstResult.Stats.Simulations);
        Assert.Equal(first.Count, phase.PlannedCount);
        Assert.Equal(first.Count, phase.AchievedCount);
        Assert.Equal(first.Count / 6.0, phase.PlannedRps!.Value, 9);
        // Each 0.5 s interval's starts: a rate r within [min, max], at k x 0.5 s + j x 0.5 s / r for j = 0 .. r - 1.
        var byInterval = first.GroupBy(t => (int)Math.Floor(t.TotalSeconds / 0.5)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Enumerable.Range(0, intervals), byInterval.Keys.Order());
        foreach (var (k, starts) in byInterval)
        {
            Assert.InRange(starts.Count, min, max);
            var expected = Enumerable.Range(0, starts.Count).Select(j => 0.5 * k + 0.5 * j / starts.Count);
            // To the tick (0.1 us) that the plan rounds to.
            Assert.All(expected.Zip(starts), p => Assert.Equal(p.First, p.Second.TotalSeconds, 1e-7));
        }
        // Twelve independent draws from 11 values do not all agree.
        Assert.True(byInterval.Values.Select(s => s.Count).Distinct().Count() > 1);

        static async Task<(List<TimeSpan> Starts, LoadResult Result)> RunRandom(int seed)
        {
            var starts = new ConcurrentQueue<TimeSpan>();
            var scenario = Scenario.Create("random", ctx =>
                {
                    starts.Enqueue(ctx.IntendedStart);
                    return Task.FromResult(Response.Ok());
                })
                .WithSeed(seed)
                .WithLoadSimulations(LoadSimulation.InjectRandom(
                    minRate: min, maxRate: max, interval: TimeSpan.FromMilliseconds(500), during: TimeSpan.FromSeconds(6), maxConcurrency: 1));
            var result = await LoadRunner.RunAsync(scenario, new SteppingClock());
            return ([.. starts.Order()], result);
        }
    }

    [Fact]
    public async Task RampingInject_after_InjectRandom_starts_from_its_last_drawn_rate()
    {
        var starts = new ConcurrentQueue<TimeSpan>();
        var scenario = Scenario.Create("random-then-ramp", ctx =>
            {
                starts.Enqueue(ctx.IntendedStart);
                return Task.FromResult(Response.Ok());
            })
            .WithSeed(3)
            .WithLoadSimulations(
                LoadSimulation.InjectRandom(minRate: 2, maxRate: 30, interval: Second, during: TimeSpan.FromSeconds(3), maxConcurrency: 1),
                LoadSimulation.RampingInject(rate: 40, interval: Second, during: Second, maxConcurrency: 1));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());

        // The last interval's rate is the count of its starts, r; from r to 40 per second over 1 s: (r + 40) / 2 arrivals,
        // rounded up, the second one at the t where the arrivals so far, r t + (40 - r) t^2 / 2, reach 1.
        var lastRate = starts.Count(t => t >= TimeSpan.FromSeconds(2) && t < TimeSpan.FromSeconds(3));
        Assert.Equal((long)Math.Ceiling((lastRate + 40) / 2.0), result.Stats.Simulations[1].PlannedCount);
        var ramp = starts.Where(t => t >= TimeSpan.FromSeconds(3)).Order().Take(2).ToList();
        var gap = (ramp[1] - ramp[0]).TotalSeconds;
        Assert.Equal(1, lastRate * gap + (40 - lastRate) * gap * gap / 2, 1e-5);
    }

    [Fact]
    public async Task IterationsForInject_runs_its_iterations_evenly_spaced_at_its_rate()
    {
        var starts = new ConcurrentQueue<TimeSpan>();
        var scenario = Scenario.Create("count", async ctx =>
            {
                starts.Enqueue(ctx.IntendedStart);
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(10));
                return Response.Ok();
            })
            .WithLoadSimulations(
                LoadSimulation.IterationsForInject(rate: 4, interval: Second, iterations: 10, maxConcurrency: 1),
                LoadSimulation.RampingInject(rate: 8, interval: Second, during: Second, maxConcurrency: 1));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());

        // 4 per second: the i-th at i / 4 s, 10 of them, planned to last 2.5 s.
        var phase = result.Stats.Simulations[0];
        Assert.Equal(10, phase.PlannedCount);
        Assert.Equal(4, phase.PlannedRps!.Value, 9);
        Assert.Equal(10, phase.AchievedCount);
        Assert.Equal(TimeSpan.FromSeconds(2.5), phase.Duration);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => TimeSpan.FromSeconds(i / 4.0)), starts.Order().Take(10));
        // The ramp after it starts from its 4 per second: (4 + 8) / 2 x 1 s = 6 arrivals.
        Assert.Equal(6, result.Stats.Simulations[1].PlannedCount);
        Assert.Equal("IterationsForInject(rate: 4, interval: 00:00:01, iterations: 10)", phase.Simulation);
    }

    private static (double Join, double Leave) Seconds((TimeSpan Join, TimeSpan Leave) window) =>
        (window.Join.TotalSeconds, window.Leave.TotalSeconds);
}
