using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GrainPool.Load.Metrics;

/// <summary>
/// A load test's instruments, on the <see cref="MeterName"/> meter, fed one <see cref="IntervalStats"/> at a time
/// (<see cref="Observe"/> is an <see cref="LoadRunOptions.OnInterval"/> callback). Every measurement carries the
/// <c>run</c> tag (the name the caller gives) and the <c>scenario</c> tag; step measurements carry <c>step</c>, and
/// counts of ok and failed iterations <c>outcome</c> (<see cref="Ok"/>, <see cref="Fail"/>). Exported through
/// OpenTelemetry's Prometheus exporter the names read (see <see cref="PrometheusNames"/>):
/// <c>grainpool_load_iterations_total</c>, <c>grainpool_load_step_calls_total</c>,
/// <c>grainpool_load_late_iterations_total</c>, <c>grainpool_load_response_size_bytes_total</c> (counters), and the
/// last interval's <c>grainpool_load_latency_seconds</c> and <c>grainpool_load_step_latency_seconds</c> (gauges by
/// <c>percentile</c>, of ok iterations) and <c>grainpool_load_iteration_rate_per_second</c> (gauge by outcome).
/// </summary>
/// <remarks>
/// Counters start at zero for both outcomes from the first interval on, so that a failure series exists before the
/// first failure (Prometheus' <c>increase</c> then counts that first one too). An interval without an ok iteration
/// (or ok call of a step) sets the latency gauges to NaN: there is no latency to show, and the previous interval's
/// would be a stale value read as a current one.
/// </remarks>
public sealed class LoadMetrics : IDisposable
{
    /// <summary>The meter's name: add it to an OpenTelemetry meter provider to export these instruments.</summary>
    public const string MeterName = "GrainPool.Load";

    /// <summary>The <c>outcome</c> tag of successful iterations and calls.</summary>
    public const string Ok = "ok";

    /// <summary>The <c>outcome</c> tag of failed iterations and calls.</summary>
    public const string Fail = "fail";

    /// <summary>
    /// The <c>percentile</c> tag of each latency gauge, in the order of <see cref="LatencyStats"/>' percentiles (100 is
    /// the maximum, as in <see cref="LatencyStats.DistributionPercentiles"/>). Not Prometheus' <c>quantile</c> label,
    /// which belongs to summaries (promtool check metrics refuses it on a gauge).
    /// </summary>
    public static readonly IReadOnlyList<string> Percentiles = ["50", "75", "95", "99", "99.9", "100"];

    /// <summary>The metric names Prometheus shows for these instruments (OpenTelemetry's Prometheus naming: units as suffixes, counters with <c>_total</c>).</summary>
    public static readonly IReadOnlyList<string> PrometheusNames =
    [
        "grainpool_load_iterations_total",
        "grainpool_load_step_calls_total",
        "grainpool_load_late_iterations_total",
        "grainpool_load_response_size_bytes_total",
        "grainpool_load_latency_seconds",
        "grainpool_load_step_latency_seconds",
        "grainpool_load_iteration_rate_per_second",
    ];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _iterations;
    private readonly Counter<long> _stepCalls;
    private readonly Counter<long> _lateIterations;
    private readonly Counter<long> _responseBytes;
    private readonly Gauge<double> _latency;
    private readonly Gauge<double> _stepLatency;
    private readonly Gauge<double> _iterationRate;

    /// <summary>Creates the instruments for one run.</summary>
    /// <param name="run">The run's name, the <c>run</c> tag of every measurement (e.g. <c>nightly-2026-12-03</c>).</param>
    /// <param name="meterFactory">Creates the meter (a host's, so that it is disposed with the host); null: a meter of this object's own, disposed with it.</param>
    public LoadMetrics(string run, IMeterFactory? meterFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(run);
        Run = run;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _iterations = _meter.CreateCounter<long>("grainpool.load.iterations", "{iteration}", "Iterations of a scenario that ended, by outcome (ok, fail)");
        _stepCalls = _meter.CreateCounter<long>("grainpool.load.step.calls", "{call}", "Calls of a scenario's step that ended, by step and outcome (ok, fail)");
        _lateIterations = _meter.CreateCounter<long>("grainpool.load.late_iterations", "{iteration}", "Iterations that started later than the scenario's late tolerance after their planned start");
        _responseBytes = _meter.CreateCounter<long>("grainpool.load.response.size", "By", "Sizes the responses of whole iterations gave, summed, by outcome");
        _latency = _meter.CreateGauge<double>("grainpool.load.latency", "s", "The last reporting interval's latency of ok iterations (from the intended start) at each percentile; NaN when none was ok");
        _stepLatency = _meter.CreateGauge<double>("grainpool.load.step.latency", "s", "The last reporting interval's latency of a step's ok calls at each percentile; NaN when none was ok");
        _iterationRate = _meter.CreateGauge<double>("grainpool.load.iteration.rate", "{iteration}/s", "Iterations per second that ended in the last reporting interval, by outcome");
    }

    /// <summary>The run's name (the <c>run</c> tag).</summary>
    public string Run { get; }

    /// <summary>Records one interval: adds its counts to the counters and sets the gauges to its latencies and rates.</summary>
    public void Observe(IntervalStats interval)
    {
        ArgumentNullException.ThrowIfNull(interval);
        foreach (var (outcome, stats) in new[] { (Ok, interval.Ok), (Fail, interval.Fail) })
        {
            var tags = Tags(interval.Scenario, null, outcome);
            _iterations.Add(stats.Count, tags);
            _responseBytes.Add(stats.SizeBytes, tags);
            _iterationRate.Record(stats.Rps, tags);
        }

        _lateIterations.Add(interval.LateCount, Tags(interval.Scenario, null, null));
        RecordLatency(_latency, interval.Ok, interval.Scenario, null);
        foreach (var step in interval.Steps)
        {
            _stepCalls.Add(step.Ok.Count, Tags(interval.Scenario, step.Name, Ok));
            _stepCalls.Add(step.Fail.Count, Tags(interval.Scenario, step.Name, Fail));
            RecordLatency(_stepLatency, step.Ok, interval.Scenario, step.Name);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void RecordLatency(Gauge<double> gauge, OutcomeStats ok, string scenario, string? step)
    {
        var latency = ok.Latency;
        double[] milliseconds = [latency.P50, latency.P75, latency.P95, latency.P99, latency.P999, latency.Max];
        for (var i = 0; i < Percentiles.Count; i++)
        {
            var tags = Tags(scenario, step, null);
            tags.Add("percentile", Percentiles[i]);
            gauge.Record(ok.Count == 0 ? double.NaN : milliseconds[i] / 1000.0, tags);
        }
    }

    private TagList Tags(string scenario, string? step, string? outcome)
    {
        var tags = new TagList { { "run", Run }, { "scenario", scenario } };
        if (step is not null)
        {
            tags.Add("step", step);
        }

        if (outcome is not null)
        {
            tags.Add("outcome", outcome);
        }

        return tags;
    }
}
