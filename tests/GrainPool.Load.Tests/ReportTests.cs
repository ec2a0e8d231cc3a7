using System.Text.Json;
using System.Xml.Linq;

namespace GrainPool.Load.Tests;

/// <summary>The text and Markdown reports hold one row per scope, outcome and measure, and the simulations' plan.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ReportTests
{
    [Fact]
    public async Task Markdown_report_has_a_latency_row_per_scope_outcome_and_measure_and_a_row_per_simulation()
    {
        var scenario = Scenario.Create("two-steps")
            .WithStep("first", async ctx => { await ctx.Clock.Delay(TimeSpan.FromMilliseconds(2)); return Response.Ok(); })
            .WithStep("second", async ctx => { await ctx.Clock.Delay(TimeSpan.FromMilliseconds(3)); return Response.Ok(); })
            .WithLoadSimulations(
                LoadSimulation.Inject(rate: 10, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1), maxConcurrency: 1),
                LoadSimulation.Pause(TimeSpan.FromSeconds(1)));

        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());
        var lines = MarkdownReport.Render(result).Split('\n').Select(l => l.TrimEnd('\r')).ToList();

        var latencyRows = lines.Where(l => l.StartsWith("| scenario ", StringComparison.Ordinal) || l.StartsWith("| step ", StringComparison.Ordinal)).ToList();
        // (scenario + 2 steps) x (ok, fail) x (latency, service)
        Assert.Equal(12, latencyRows.Count);
        Assert.All(latencyRows, row => Assert.Equal(13, row.Count(c => c == '|')));
        Assert.Contains("| scenario two-steps | ok | latency | 10 | 5 | 5 | 5 | 5 | 5 | 5 | 5 | 5 |", latencyRows);
        Assert.Contains("| step second | ok | service | 10 | 5 | 3 | 3 | 3 | 3 | 3 | 3 | 3 |", latencyRows);
        Assert.Contains(lines, l => l.StartsWith("| Inject(rate: 10, interval: 00:00:01, during: 00:00:01) | 1 | 10 | 10 | 10 | 10 | 0 |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("| Pause(during: 00:00:01) | 1 | - | 0 | - | 0 | 0 |", StringComparison.Ordinal));
        Assert.Contains("scenario two-steps  ok       latency", TextReport.Render(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_of_a_run_repeats_its_console_table_and_plots_its_distribution()
    {
        var scenario = Scenario.Create("one-step", async ctx => { await ctx.Clock.Delay(TimeSpan.FromMilliseconds(4)); return Response.Ok(); })
            .WithLoadSimulations(LoadSimulation.Inject(rate: 20, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(1), maxConcurrency: 1))
            .WithThresholds(Threshold.LatencyP99Below(TimeSpan.FromMilliseconds(10)));
        var result = await LoadRunner.RunAsync(scenario, new SteppingClock());
        var report = LoadReport.Of(result) with { Configuration = "{ \"rate\": 20 }" };

        Assert.Contains(TextReport.Render(result), TextReport.Render(report), StringComparison.Ordinal);
        Assert.Equal("Load test: one-step", report.Title);
        Assert.Equal(Environment.ProcessorCount, report.Machine.ProcessorCount);
        var page = XDocument.Parse(HtmlReport.Render(report));
        var json = page.Descendants("script").Single(e => (string?)e.Attribute("id") == "latency-distribution-0-data").Value;
        using var data = JsonDocument.Parse(json);
        var latency = data.RootElement.GetProperty("series")[0].GetProperty("points").EnumerateArray()
            .Select(p => new PercentileValue(p.GetProperty("x").GetDouble(), p.GetProperty("y").GetDouble()));
        // Every iteration took 4 ms on the virtual clock, so each percentile of the distribution is 4 ms, to the
        // histogram's 3 significant digits (HdrHistogram reports the top of the value's bucket: 4.001 ms).
        Assert.Equal(LatencyStats.DistributionPercentiles, latency.Select(p => p.Percentile));
        Assert.All(latency, p => Assert.InRange(p.Milliseconds, 4, 4.004));
        Assert.Equal(result.Stats.Ok.Latency.Distribution, latency);
    }

    [Fact]
    public void An_aborted_run_and_when_each_threshold_first_failed_are_in_every_report()
    {
        var zero = new LatencyStats(0, 0, 0, 0, 0, 0, 0);
        var none = new OutcomeStats(0, 0, zero, zero, 0);
        var stats = new ScenarioStats("stalls", TimeSpan.FromSeconds(3), none, none, [], []);
        var result = new LoadResult(stats, [new ThresholdResult("fail% < 1", false) { FailedAt = TimeSpan.FromSeconds(2.5) }, new ThresholdResult("rps >= 0", true)])
        {
            Aborted = true,
            AbortReason = "Threshold 'fail% < 1' of scenario 'stalls' failed at 00:00:02.5000000.",
        };

        foreach (var report in new[] { TextReport.Render(result), MarkdownReport.Render(result) })
        {
            Assert.Contains("FAILED: fail% < 1 (first failed at 2.5 s)", report, StringComparison.Ordinal);
            Assert.Contains("passed: rps >= 0", report, StringComparison.Ordinal);
            Assert.DoesNotContain("passed: rps >= 0 (", report, StringComparison.Ordinal);
            Assert.Contains("ABORTED: Threshold 'fail% < 1' of scenario 'stalls' failed at 00:00:02.5000000.", report, StringComparison.Ordinal);
        }

        var html = XDocument.Parse(HtmlReport.Render(LoadReport.Of(result)));
        var texts = html.Descendants().Select(e => (Id: (string?)e.Attribute("id"), Text: e.Value)).ToList();
        Assert.Contains(texts, t => t.Id == "thresholds-0" && t.Text.Contains("FAILED (first failed at 2.5 s)", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Id == "aborted-0" && t.Text.Contains("failed at 00:00:02.5", StringComparison.Ordinal));
    }
}
