namespace GrainPool.Load.Tests;

/// <summary>Thresholds are checked at the end; each failed one is named in the result and in the reports.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ThresholdTests
{
    // 100 iterations in 1 s, 5 ms each, every tenth failing: 90 ok per second, 10% failed, p99 5 ms.
    private static Scenario TenPercentFailing() =>
        Scenario.Create("thresholds", async ctx =>
            {
                await ctx.Clock.Delay(TimeSpan.FromMilliseconds(5));
                return ctx.Iteration % 10 == 9 ? Response.Fail("500", "every tenth") : Response.Ok("200", sizeBytes: 10);
            })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1), maxConcurrency: 1));

    [Fact]
    public async Task A_failed_threshold_is_named_in_the_result_and_both_reports()
    {
        var scenario = TenPercentFailing().WithThresholds(
            Threshold.LatencyP99Below(TimeSpan.FromMilliseconds(10)),
            Threshold.FailPercentBelow(5),
            Threshold.RpsAtLeast(80),
            Threshold.RpsAtLeast(95));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());

        Assert.Equal(10, result.Stats.FailPercent, 9);
        Assert.Equal(90, result.Stats.Ok.Rps, 9);
        Assert.Equal(900, result.Stats.Ok.SizeBytes);
        Assert.False(result.Passed);
        Assert.Equal(["fail% < 5", "rps >= 95"], result.FailedThresholds);
        Assert.Contains("FAILED: fail% < 5", TextReport.Render(result), StringComparison.Ordinal);
        Assert.Contains("- FAILED: rps >= 95", MarkdownReport.Render(result), StringComparison.Ordinal);
        Assert.Contains("- passed: p99 < 10 ms", MarkdownReport.Render(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_passing_set_passes()
    {
        var scenario = TenPercentFailing().WithThresholds(
            Threshold.LatencyP99Below(TimeSpan.FromMilliseconds(10)),
            Threshold.FailPercentBelow(10.5),
            Threshold.RpsAtLeast(90),
            new Threshold("no late iterations", s => s.LateCount == 0));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());

        Assert.True(result.Passed);
        Assert.Empty(result.FailedThresholds);
        Assert.Equal(4, result.Thresholds.Count);
    }
}
