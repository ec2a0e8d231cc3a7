using System.Diagnostics;
using System.Globalization;
using GrainPool.Load.Metrics;

namespace GrainPool.Observability.Tests;

/// <summary>
/// The load test's metrics and the "GrainPool load test" dashboard against the stack's real Prometheus, which scrapes a
/// <see cref="LoadMetricsEndpoint"/> fed three known intervals (<see cref="LoadRunFeed"/>). Every expected value is
/// worked out by hand from <see cref="LoadRunFeed.Intervals"/>.
/// </summary>
[Collection(StackCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Observability)]
public sealed class LoadDashboardTests(StackFixture stack)
{
    private const string DashboardFile = "grainpool-load-test.json";

    // After each of the three intervals: the running sums of the counters (by hand from the table in LoadRunFeed).
    private static readonly (string Series, string Labels, double[] AfterEach)[] Counters =
    [
        ("grainpool_load_iterations_total", "outcome=\"ok\"", [10, 10, 17]),
        ("grainpool_load_iterations_total", "outcome=\"fail\"", [1, 4, 4]),
        ("grainpool_load_late_iterations_total", "", [2, 2, 7]),
        ("grainpool_load_response_size_bytes_total", "outcome=\"ok\"", [1000, 1000, 1700]),
        ("grainpool_load_response_size_bytes_total", "outcome=\"fail\"", [50, 80, 80]),
        ("grainpool_load_step_calls_total", "step=\"connect\", outcome=\"ok\"", [10, 10, 17]),
        ("grainpool_load_step_calls_total", "step=\"connect\", outcome=\"fail\"", [0, 3, 3]),
        ("grainpool_load_step_calls_total", "step=\"query\", outcome=\"ok\"", [10, 10, 17]),
        ("grainpool_load_step_calls_total", "step=\"query\", outcome=\"fail\"", [1, 1, 1]),
    ];

    // Each interval's own gauges: p99 of ok iterations in seconds (none ok in the second: NaN), and the rates.
    private static readonly (string Series, string Labels, double[] Each)[] Gauges =
    [
        ("grainpool_load_latency_seconds", "percentile=\"99\"", [0.009, double.NaN, 0.013]),
        ("grainpool_load_latency_seconds", "percentile=\"100\"", [0.012, double.NaN, 0.01425]),
        ("grainpool_load_step_latency_seconds", "step=\"query\", percentile=\"95\"", [0.006, double.NaN, 0.008]),
        ("grainpool_load_iteration_rate_per_second", "outcome=\"ok\"", [2.0, 0.0, 1.4]),
        ("grainpool_load_iteration_rate_per_second", "outcome=\"fail\"", [0.2, 0.6, 0.0]),
    ];

    [Fact]
    public async Task Prometheus_holds_the_sums_fed_to_the_load_endpoint_and_each_intervals_gauges_at_each_checkpoint()
    {
        var load = stack.Load;
        Assert.Equal(3, load.Checkpoints.Count);
        for (var i = 0; i < load.Checkpoints.Count; i++)
        {
            foreach (var (series, labels, afterEach) in Counters)
            {
                Assert.Equal(afterEach[i], await SingleValueAsync(series, labels, load.Checkpoints[i]));
            }

            foreach (var (series, labels, each) in Gauges)
            {
                var value = await SingleValueAsync(series, labels, load.Checkpoints[i]);
                Assert.True(double.IsNaN(each[i]) ? double.IsNaN(value) : Math.Abs(value - each[i]) < 1e-12, $"after interval {i}: {series}{{{labels}}} is {value:R}, fed {each[i]:R}");
            }
        }
    }

    [Fact]
    public async Task Every_panel_query_of_the_load_dashboard_returns_series_for_the_run_and_its_totals_are_the_sums_fed()
    {
        // The run and its scenario selected, as a user picks them; at the settled end, when the endpoint has long held
        // the three intervals and is still scraped (rates have samples), and the silos have been busy.
        var queries = PrometheusTests.PanelQueries(DashboardFile).ToList();
        var empty = new List<string>();
        var values = new Dictionary<string, List<PromSeries>>();
        foreach (var (panel, expr) in queries)
        {
            var series = await stack.Prometheus.QueryAsync(Substitute(expr), stack.SettledAt);
            if (series.Count == 0)
            {
                empty.Add($"{panel}: {expr}");
            }

            values.TryAdd(panel, [.. series]);
        }

        Assert.True(queries.Count >= 12, $"{DashboardFile} has only {queries.Count} queries");
        Assert.True(empty.Count == 0, $"queries of {DashboardFile} with no series for run {stack.Load.Run}:\n" + string.Join('\n', empty));

        // The stat panels that show totals and the last interval equal what was fed.
        Assert.Equal(17, values["Iterations"].Single(s => s.Labels["outcome"] == "ok").Value);
        Assert.Equal(4, values["Iterations"].Single(s => s.Labels["outcome"] == "fail").Value);
        Assert.Equal(4.0 / 21, values["Failed"].Single().Value, 12);
        Assert.Equal(7, values["Late iterations"].Single().Value);
        Assert.Equal(1780, values["Response bytes"].Single().Value);
        Assert.Equal(0.013, values["p99 latency (last interval)"].Single().Value, 12);
        // The percentiles panel: one line per percentile, at the last interval's values.
        Assert.Equal(
            new Dictionary<string, double> { ["50"] = 0.005, ["75"] = 0.007, ["95"] = 0.011, ["99"] = 0.013, ["99.9"] = 0.013, ["100"] = 0.01425 },
            values["Latency percentiles (ok iterations)"].ToDictionary(s => s.Labels["percentile"], s => Math.Round(s.Value, 9)));
    }

    [Fact]
    public async Task Promtool_check_metrics_finds_nothing_to_fix_in_the_load_endpoints_scrape()
    {
        var promtool = StackFixture.Require("promtool", "prometheus");
        var scrape = await StackFixture.GetAsync(stack.Load.Url);
        var ours = string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith("grainpool_load_", StringComparison.Ordinal) || l.StartsWith("# HELP grainpool_load_", StringComparison.Ordinal) || l.StartsWith("# TYPE grainpool_load_", StringComparison.Ordinal))) + "\n";
        Assert.All(LoadMetrics.PrometheusNames, name => Assert.Contains($"# TYPE {name} ", ours, StringComparison.Ordinal));

        var start = new ProcessStartInfo(promtool, ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(ours);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0 && output.Trim().Length == 0, $"promtool check metrics on the load endpoint's families (exit {process.ExitCode}):\n{output}");
    }

    // The one series of the run's scenario with the given labels, at the instant.
    private async Task<double> SingleValueAsync(string series, string labels, DateTimeOffset at)
    {
        var selector = $"{series}{{cluster=\"{stack.ClusterId}\", run=\"{stack.Load.Run}\", scenario=\"{LoadRunFeed.Scenario}\"{(labels.Length > 0 ? ", " + labels : string.Empty)}}}";
        var result = await stack.Prometheus.QueryAsync(selector, at);
        Assert.True(result.Count == 1, string.Create(CultureInfo.InvariantCulture, $"{selector} at {at:HH:mm:ss.fff}: {result.Count} series"));
        return result[0].Value;
    }

    private string Substitute(string expr) =>
        expr.Replace("$__rate_interval", "5s", StringComparison.Ordinal)
            .Replace("$cluster", stack.ClusterId, StringComparison.Ordinal)
            .Replace("$silo", ".*", StringComparison.Ordinal)
            .Replace("$run", stack.Load.Run, StringComparison.Ordinal)
            .Replace("$scenario", LoadRunFeed.Scenario, StringComparison.Ordinal);
}
