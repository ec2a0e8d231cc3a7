using System.Collections.Concurrent;

namespace GrainPool.Load.Tests;

/// <summary>A scenario's shape: init and clean once, steps in order, a failed or throwing step ends its iteration.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ScenarioTests
{
    [Fact]
    public async Task A_throwing_step_fails_its_iteration_and_the_later_steps_do_not_run()
    {
        var events = new List<string>();
        var secondRuns = 0;
        var scenario = Scenario.Create("shape")
            .WithInit(_ => { events.Add("init"); return Task.CompletedTask; })
            .WithClean(_ => { events.Add("clean"); return Task.CompletedTask; })
            .WithStep("first", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(1));
                return ctx.Iteration % 4 == 3 ? throw new InvalidOperationException("boom") : Response.Ok();
            })
            .WithStep("second", ctx =>
            {
                Interlocked.Increment(ref secondRuns);
                return Task.FromResult(Response.Ok(sizeBytes: 7));
            })
            .WithLoadSimulations(LoadSimulation.IterationsForConstant(copies: 1, iterations: 20));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());

        Assert.Equal(["init", "clean"], events);
        Assert.Equal(15, result.Stats.Ok.Count);
        Assert.Equal(5, result.Stats.Fail.Count);
        Assert.Equal(25, result.Stats.FailPercent, 9);
        var first = result.Stats.Steps[0];
        var second = result.Stats.Steps[1];
        Assert.Equal((15, 5), (first.Ok.Count, first.Fail.Count));
        Assert.Equal((15, 0), (second.Ok.Count, second.Fail.Count));
        Assert.Equal(15, secondRuns);
        Assert.Equal(105, result.Stats.Ok.SizeBytes);
    }

    [Fact]
    public async Task RampingInject_starts_from_the_rate_of_the_inject_before_it()
    {
        var starts = new ConcurrentQueue<TimeSpan>();
        var scenario = Scenario.Create("down", ctx =>
            {
                starts.Enqueue(ctx.IntendedStart);
                return Task.FromResult(Response.Ok());
            })
            .WithLoadSimulations(
                LoadSimulation.Inject(rate: 4, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1), maxConcurrency: 1),
                LoadSimulation.RampingInject(rate: 1, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(2), maxConcurrency: 1));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());

        // From 4/s down to 1/s over 2 s: the rate is 4 - 1.5 t, so 4 t - 0.75 t^2 arrivals by time t (5 by the end), the
        // i-th at t = (4 - sqrt(16 - 3 i)) / 1.5.
        Assert.Equal(4, result.Stats.Simulations[0].AchievedCount);
        Assert.Equal(5, result.Stats.Simulations[1].PlannedCount);
        var rampStarts = starts.Order().Skip(4).Select(t => t.TotalSeconds - 1).ToList();
        var expected = Enumerable.Range(0, 5).Select(i => (4 - Math.Sqrt(16 - 3 * i)) / 1.5).ToList();
        Assert.Equal(expected.Count, rampStarts.Count);
        Assert.All(rampStarts.Zip(expected), p => Assert.Equal(p.Second, p.First, 6));
    }
}
