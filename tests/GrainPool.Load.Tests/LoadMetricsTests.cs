using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using GrainPool.Load.Metrics;

namespace GrainPool.Load.Tests;

/// <summary>
/// The load metrics sink: fed hand-made intervals (as the runner's OnInterval will), its instruments hold the sums of
/// the counts and the last interval's latencies and rates, with the run, scenario, step, outcome and percentile tags;
/// the endpoint serves them under the Prometheus names the dashboard reads.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class LoadMetricsTests
{
    // Three intervals of a two-step scenario; the middle one has no ok iteration (and no ok call of either step).
    // Latencies in milliseconds: mean, p50, p75, p95, p99, p99.9, max.
    private static readonly IntervalStats[] Intervals =
    [
        Interval(0, ok: (10, 2.0, Latency(4, 3, 5, 8, 9, 9.5, 12), 1000), fail: (1, 0.2, 50), late: 2,
            ("connect", (10, Latency(1, 1, 1.5, 2, 2.5, 2.5, 3)), 0), ("query", (10, Latency(3, 2, 3.5, 6, 6.5, 7, 9)), 1)),
        Interval(1, ok: (0, 0.0, Latency(0, 0, 0, 0, 0, 0, 0), 0), fail: (3, 0.6, 30), late: 0,
            ("connect", (0, Latency(0, 0, 0, 0, 0, 0, 0)), 3), ("query", (0, Latency(0, 0, 0, 0, 0, 0, 0)), 0)),
        Interval(2, ok: (7, 1.4, Latency(6, 5, 7, 11, 13, 13, 14.25), 700), fail: (0, 0.0, 0), late: 5,
            ("connect", (7, Latency(2, 2, 2, 3, 3, 3, 3.5)), 0), ("query", (7, Latency(4, 3, 5, 8, 10, 10, 10.75)), 0)),
    ];

    [Fact]
    public void Counters_hold_the_sums_of_the_intervals_and_gauges_the_last_intervals_values_with_the_run_tag()
    {
        var run = "unit-" + Guid.NewGuid().ToString("N")[..8];
        using var recorded = new Recorded(run);
        using (var metrics = new LoadMetrics(run))
        {
            foreach (var interval in Intervals)
            {
                metrics.Observe(interval);
            }
        }

        // Counters: the sums, by hand from the table above.
        Assert.Equal(17, recorded.Sum("grainpool.load.iterations", "scenario=search", "outcome=ok"));
        Assert.Equal(4, recorded.Sum("grainpool.load.iterations", "scenario=search", "outcome=fail"));
        Assert.Equal(7, recorded.Sum("grainpool.load.late_iterations", "scenario=search"));
        Assert.Equal(1700, recorded.Sum("grainpool.load.response.size", "scenario=search", "outcome=ok"));
        Assert.Equal(80, recorded.Sum("grainpool.load.response.size", "scenario=search", "outcome=fail"));
        Assert.Equal(17, recorded.Sum("grainpool.load.step.calls", "scenario=search", "step=connect", "outcome=ok"));
        Assert.Equal(3, recorded.Sum("grainpool.load.step.calls", "scenario=search", "step=connect", "outcome=fail"));
        Assert.Equal(17, recorded.Sum("grainpool.load.step.calls", "scenario=search", "step=query", "outcome=ok"));
        Assert.Equal(1, recorded.Sum("grainpool.load.step.calls", "scenario=search", "step=query", "outcome=fail"));
        // Zero is added for a quiet outcome too, so that its series exists from the first interval.
        Assert.Equal(3, recorded.Count("grainpool.load.iterations", "outcome=fail"));

        // Gauges: the last interval's, in seconds, by percentile.
        Assert.Equal(1.4, recorded.Last("grainpool.load.iteration.rate", "outcome=ok"));
        Assert.Equal(0.0, recorded.Last("grainpool.load.iteration.rate", "outcome=fail"));
        string[] percentiles = ["50", "75", "95", "99", "99.9", "100"];
        double[] iteration = [0.005, 0.007, 0.011, 0.013, 0.013, 0.01425];
        double[] query = [0.003, 0.005, 0.008, 0.010, 0.010, 0.01075];
        for (var i = 0; i < percentiles.Length; i++)
        {
            Assert.Equal(iteration[i], recorded.Last("grainpool.load.latency", "percentile=" + percentiles[i]), 12);
            Assert.Equal(query[i], recorded.Last("grainpool.load.step.latency", "step=query", "percentile=" + percentiles[i]), 12);
        }

        // The interval without an ok iteration gave NaN, not zeros (the second of the three recordings of p99).
        Assert.True(double.IsNaN(recorded.All("grainpool.load.latency", "percentile=99")[1]));
        Assert.True(double.IsNaN(recorded.All("grainpool.load.step.latency", "step=connect", "percentile=50")[1]));

        // Every measurement has the run and scenario tags; only step instruments have step; percentiles only on latencies.
        Assert.All(recorded.Measurements, m => Assert.Equal(run, m.Tags["run"]));
        Assert.All(recorded.Measurements, m => Assert.Equal("search", m.Tags["scenario"]));
        Assert.All(recorded.Measurements, m => Assert.Equal(m.Instrument.Contains(".step.", StringComparison.Ordinal), m.Tags.ContainsKey("step")));
        Assert.All(recorded.Measurements, m => Assert.Equal(m.Instrument.EndsWith("latency", StringComparison.Ordinal), m.Tags.ContainsKey("percentile")));
        Assert.Equal(["By", "s", "s", "{call}", "{iteration}", "{iteration}", "{iteration}/s"], recorded.Units.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_endpoint_serves_the_sums_under_the_prometheus_names_on_the_port_it_bound()
    {
        var run = "endpoint-" + Guid.NewGuid().ToString("N")[..8];
        await using var endpoint = await LoadMetricsEndpoint.StartAsync(run);
        Assert.Equal("127.0.0.1", endpoint.Url.Host);
        Assert.NotEqual(0, endpoint.Url.Port);
        Assert.Equal(LoadMetricsEndpoint.ScrapePath, endpoint.Url.AbsolutePath);
        foreach (var interval in Intervals)
        {
            endpoint.Metrics.Observe(interval);
        }

        using var http = new HttpClient();
        var lines = (await http.GetStringAsync(endpoint.Url)).Split('\n');

        // The value of the one series of name whose labels include every one given (as name{...label="value"...}).
        double Value(string name, params string[] labels)
        {
            var series = lines.Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal))
                && l.Contains($"run=\"{run}\"", StringComparison.Ordinal)).ToList();
            Assert.True(series.Count == 1, $"{name} {string.Join(",", labels)}: {series.Count} series in\n{string.Join('\n', lines)}");
            return double.Parse(series[0][(series[0].LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        Assert.Equal(17, Value("grainpool_load_iterations_total", "outcome=\"ok\"", "scenario=\"search\""));
        Assert.Equal(4, Value("grainpool_load_iterations_total", "outcome=\"fail\""));
        Assert.Equal(7, Value("grainpool_load_late_iterations_total"));
        Assert.Equal(1700, Value("grainpool_load_response_size_bytes_total", "outcome=\"ok\""));
        Assert.Equal(1, Value("grainpool_load_step_calls_total", "step=\"query\"", "outcome=\"fail\""));
        Assert.Equal(0.01425, Value("grainpool_load_latency_seconds", "percentile=\"100\""), 12);
        Assert.Equal(0.008, Value("grainpool_load_step_latency_seconds", "step=\"query\"", "percentile=\"95\""), 12);
        Assert.Equal(1.4, Value("grainpool_load_iteration_rate_per_second", "outcome=\"ok\""), 12);

        // Each documented name is a family the endpoint serves, with its Prometheus type.
        foreach (var name in LoadMetrics.PrometheusNames)
        {
            var type = name.EndsWith("_total", StringComparison.Ordinal) ? "counter" : "gauge";
            Assert.Contains($"# TYPE {name} {type}", lines);
        }

        // The resource names the run as the service instance.
        Assert.Contains(lines, l => l.StartsWith("target_info{", StringComparison.Ordinal) && l.Contains($"service_instance_id=\"{run}\"", StringComparison.Ordinal)
            && l.Contains($"service_name=\"{LoadMetricsEndpoint.ServiceName}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_port_in_use_is_refused_with_an_io_error()
    {
        await using var first = await LoadMetricsEndpoint.StartAsync("first");
        await Assert.ThrowsAnyAsync<IOException>(() => LoadMetricsEndpoint.StartAsync("second", first.Url.Port));
    }

    internal static IntervalStats Interval(
        int index, (long Count, double Rps, LatencyStats Latency, long Bytes) ok, (long Count, double Rps, long Bytes) fail, long late,
        params (string Name, (long Count, LatencyStats Latency) Ok, long FailCount)[] steps)
    {
        var none = Latency(0, 0, 0, 0, 0, 0, 0);
        var duration = TimeSpan.FromSeconds(5);
        return new IntervalStats(
            "search", index, index * duration, duration, "Inject(rate: 2, interval: 00:00:01, during: 00:00:15)",
            new OutcomeStats(ok.Count, ok.Rps, ok.Latency, ok.Latency, ok.Bytes),
            new OutcomeStats(fail.Count, fail.Rps, none, none, fail.Bytes),
            [.. steps.Select(s => new StepStats(s.Name, new OutcomeStats(s.Ok.Count, s.Ok.Count / duration.TotalSeconds, s.Ok.Latency, s.Ok.Latency, 0),
                new OutcomeStats(s.FailCount, s.FailCount / duration.TotalSeconds, none, none, 0)))],
            late);
    }

    internal static LatencyStats Latency(double mean, double p50, double p75, double p95, double p99, double p999, double max) =>
        new(mean, p50, p75, p95, p99, p999, max);

    /// <summary>The measurements of the <see cref="LoadMetrics.MeterName"/> instruments tagged with one run, in order.</summary>
    private sealed class Recorded : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly string _run;

        public Recorded(string run)
        {
            _run = run;
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LoadMetrics.MeterName)
                {
                    Units[instrument.Name] = instrument.Unit ?? string.Empty;
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.Start();
        }

        public ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string> Tags)> Measurements { get; } = new();

        public ConcurrentDictionary<string, string> Units { get; } = new();

        public double Sum(string instrument, params string[] tags) => All(instrument, tags).Sum();

        public double Last(string instrument, params string[] tags) => All(instrument, tags)[^1];

        public int Count(string instrument, params string[] tags) => All(instrument, tags).Count;

        public List<double> All(string instrument, params string[] tags) =>
            [.. Measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t[..t.IndexOf('=')]) == t[(t.IndexOf('=') + 1)..])).Select(m => m.Value)];

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, string>();
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value?.ToString() ?? string.Empty;
            }

            if (map.GetValueOrDefault("run") == _run)
            {
                Measurements.Enqueue((instrument.Name, value, map));
            }
        }
    }
}
