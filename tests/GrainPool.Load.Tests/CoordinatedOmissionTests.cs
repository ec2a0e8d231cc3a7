namespace GrainPool.Load.Tests;

/// <summary>Latency from the intended start: a stall shows in the corrected histogram, not in the raw one.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class CoordinatedOmissionTests
{
    [Fact]
    public async Task One_stall_gives_the_hand_computed_corrected_latencies_and_late_count_while_service_times_stay_raw()
    {
        // 50 per second for 1 s on one connection: starts planned every 20 ms at 0, 20, ..., 980 ms. Each call takes
        // 5 ms, but the one planned at 200 ms (iteration 10) stalls for 200 ms, until 400 ms. The next ones then run back
        // to back from 400 ms: iteration 10 + j (planned at 200 + 20 j) starts at 400 + 5 (j - 1) and ends at 400 + 5 j,
        // so it waited from its plan for 200 - 15 j ms in all, late while 195 - 15 j > 0: j = 1..12 (185 down to 20 ms).
        // Iteration 23 is planned at 460 and starts at 460, on time again.
        double[] late = [185, 170, 155, 140, 125, 110, 95, 80, 65, 50, 35, 20];
        double[] corrected = [.. Enumerable.Repeat(5.0, 37), .. late, 200];
        double[] raw = [.. Enumerable.Repeat(5.0, 49), 200];
        var scenario = Scenario.Create("stall", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(ctx.Iteration == 10 ? 200 : 5));
                return Response.Ok();
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 50, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1), maxConcurrency: 1));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());

        var stats = result.Stats;
        Assert.Equal(50, stats.Ok.Count);
        Assert.Equal(12, stats.LateCount);
        AssertDistribution(corrected, stats.Ok.Latency);
        AssertDistribution(raw, stats.Ok.ServiceTime);
        // The one step carries the same: its corrected latency counts from the intended start too.
        AssertDistribution(corrected, Assert.Single(stats.Steps).Ok.Latency);
        AssertDistribution(raw, Assert.Single(stats.Steps).Ok.ServiceTime);
    }

    // Percentiles by nearest rank (the smallest value with at least p% of the values at or below it), as HdrHistogram
    // defines them, to its 3 significant digits.
    private static void AssertDistribution(double[] expectedMs, LatencyStats actual)
    {
        var sorted = expectedMs.Order().ToArray();
        double Rank(double percent) => sorted[(int)Math.Ceiling(percent / 100 * sorted.Length) - 1];
        Close(sorted.Average(), actual.Mean);
        Close(Rank(50), actual.P50);
        Close(Rank(75), actual.P75);
        Close(Rank(95), actual.P95);
        Close(Rank(99), actual.P99);
        Close(Rank(99.9), actual.P999);
        Close(sorted[^1], actual.Max);
    }

    private static void Close(double expected, double actual) =>
        Assert.InRange(actual, expected * 0.999 - 0.001, expected * 1.001 + 0.001);
}
