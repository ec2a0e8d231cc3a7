using System.Collections.Concurrent;

namespace GrainPool.Load.Tests;

/// <summary>Open-model arrivals: planned rate, evenly spaced starts, rates below one per second, ramps.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class OpenModelTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Inject_against_a_fixed_service_time_gives_the_planned_rate_with_evenly_spaced_starts()
    {
        var clock = new SteppingClock();
        var starts = new ConcurrentQueue<TimeSpan>();
        var scenario = Scenario.Create("fixed", async ctx =>
            {
                starts.Enqueue(ctx.IntendedStart);
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(3));
                return Response.Ok();
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: Second, during: TimeSpan.FromSeconds(2), maxConcurrency: 1));

        var result = await LoadRunner.RunAsync(scenario, clock);

        var phase = Assert.Single(result.Stats.Simulations);
        Assert.Equal(200, phase.PlannedCount);
        Assert.Equal(100, phase.PlannedRps!.Value, 9);
        Assert.Equal(200, phase.AchievedCount);
        Assert.InRange(phase.AchievedRps, 98, 102);
        Assert.Equal(0, phase.LateCount);
        Assert.Equal(200, result.Stats.Ok.Count);
        var gaps = starts.Order().Zip(starts.Order().Skip(1), (a, b) => b - a).Distinct().ToList();
        Assert.Equal([TimeSpan.FromMilliseconds(10)], gaps);
        // Started on plan, so waiting time is nil: latency is the 3 ms service time.
        Assert.Equal(3, result.Stats.Ok.Latency.Max, 2);
    }

    [Fact]
    public async Task Inject_on_the_real_clock_keeps_the_planned_rate_within_2_percent()
    {
        var starts = new ConcurrentQueue<TimeSpan>();
        var scenario = Scenario.Create("real", async ctx =>
            {
                starts.Enqueue(ctx.IntendedStart);
                await Task.Delay(2, ctx.CancellationToken);
                return Response.Ok();
            })
            // 3 s at 100/s: 2% is 60 ms of slack for the last iteration's wake-up on a busy machine.
            .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: Second, during: TimeSpan.FromSeconds(3), maxConcurrency: 8));

        var result = await LoadRunner.RunAsync(scenario);

        var phase = Assert.Single(result.Stats.Simulations);
        Assert.Equal(300, phase.AchievedCount);
        Assert.InRange(phase.AchievedRps, 98, 100.0001);
        var ordered = starts.Order().ToList();
        Assert.All(ordered.Zip(ordered.Skip(1), (a, b) => b - a), gap => Assert.Equal(10, gap.TotalMilliseconds, 3));
    }

    [Fact]
    public async Task Rates_below_one_per_second_space_starts_by_the_inverse_rate()
    {
        var starts = new ConcurrentQueue<TimeSpan>();
        var scenario = Scenario.Create("slow", ctx =>
            {
                starts.Enqueue(ctx.IntendedStart);
                return Task.FromResult(Response.Ok());
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 0.5, interval: Second, during: TimeSpan.FromSeconds(5), maxConcurrency: 1));

        await LoadRunner.RunAsync(scenario, new SteppingClock());

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], starts.Order());
    }

    [Fact]
    public async Task RampingInject_from_zero_spaces_starts_by_the_integral_of_the_rate()
    {
        var starts = new ConcurrentQueue<TimeSpan>();
        var scenario = Scenario.Create("ramp", ctx =>
            {
                starts.Enqueue(ctx.IntendedStart);
                return Task.FromResult(Response.Ok());
            })
            .WithLoadSimulations(LoadSimulation.RampingInject(rate: 10, interval: Second, during: TimeSpan.FromSeconds(2), maxConcurrency: 1));

        await LoadRunner.RunAsync(scenario, new SteppingClock());

        // Rate 5 t per second from 0 to 10 over 2 s: 2.5 t^2 arrivals by time t, so the i-th at sqrt(i / 2.5) s, 10 in all.
        var expected = Enumerable.Range(0, 10).Select(i => Math.Sqrt(i / 2.5)).ToList();
        var actual = starts.Order().Select(t => t.TotalSeconds).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 6));
    }
}
