using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrainPool.Load;
using GrainPool.Load.Metrics;

namespace GrainPool.Observability.Tests;

/// <summary>
/// The load-test part of the stack's workload: a <see cref="LoadMetricsEndpoint"/> that the stack's Prometheus scrapes
/// as a <c>grainpool-load</c> target of the cluster (a file in the run folder's <c>load-targets/</c>, as a user adds a
/// runner), fed <see cref="Intervals"/> one at a time as the runner's <c>OnInterval</c> will, each only after Prometheus
/// has scraped the one before. It keeps serving until the fixture ends, so that rates over the last seconds have samples.
/// </summary>
public sealed partial class LoadRunFeed : IAsyncDisposable
{
    /// <summary>The scenario of every interval.</summary>
    public const string Scenario = "search";

    // How long Prometheus may take to discover and scrape the endpoint: generous, never a pass mark.
    private static readonly TimeSpan WaitDeadline = TimeSpan.FromSeconds(60);

    private readonly LoadMetricsEndpoint _endpoint;
    private readonly PrometheusApi _prometheus;
    private readonly string _clusterId;
    private readonly List<DateTimeOffset> _checkpoints = [];

    private LoadRunFeed(LoadMetricsEndpoint endpoint, PrometheusApi prometheus, string clusterId, string run)
    {
        _endpoint = endpoint;
        _prometheus = prometheus;
        _clusterId = clusterId;
        Run = run;
    }

    /// <summary>
    /// Three reporting intervals of a two-step scenario (connect, query); the middle one has no ok iteration and no ok
    /// call. The tests' expected sums and last values are worked out by hand from this table.
    /// </summary>
    public static IReadOnlyList<IntervalStats> Intervals { get; } =
    [
        Interval(0, ok: (10, 2.0, [4, 3, 5, 8, 9, 9.5, 12], 1000), fail: (1, 0.2, 50), late: 2,
            ("connect", 10, [1, 1, 1.5, 2, 2.5, 2.5, 3], 0), ("query", 10, [3, 2, 3.5, 6, 6.5, 7, 9], 1)),
        Interval(1, ok: (0, 0.0, [0, 0, 0, 0, 0, 0, 0], 0), fail: (3, 0.6, 30), late: 0,
            ("connect", 0, [0, 0, 0, 0, 0, 0, 0], 3), ("query", 0, [0, 0, 0, 0, 0, 0, 0], 0)),
        Interval(2, ok: (7, 1.4, [6, 5, 7, 11, 13, 13, 14.25], 700), fail: (0, 0.0, 0), late: 5,
            ("connect", 7, [2, 2, 2, 3, 3, 3, 3.5], 0), ("query", 7, [4, 3, 5, 8, 10, 10, 10.75], 0)),
    ];

    /// <summary>The run's name (the <c>run</c> label of its series).</summary>
    public string Run { get; }

    /// <summary>The endpoint's scrape address.</summary>
    public Uri Url => _endpoint.Url;

    /// <summary>
    /// For each of <see cref="Intervals"/>, the time of the first scrape of the endpoint that started after it was fed:
    /// Prometheus' sample at that instant holds that interval and those before it, and none after.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> Checkpoints => _checkpoints;

    /// <summary>
    /// Starts the endpoint and makes it a target of the stack's Prometheus, labelled with the cluster, by a file in
    /// <c>load-targets/</c> beside the configuration the stack printed (the grainpool-load job reads it from there).
    /// </summary>
    public static async Task<LoadRunFeed> StartAsync(string clusterId, string stackOutput, PrometheusApi prometheus)
    {
        var config = StackConfig().Match(stackOutput);
        if (!config.Success)
        {
            throw new InvalidOperationException("grainpool stack printed no Prometheus configuration path:\n" + stackOutput);
        }

        var run = "obs-load-" + Guid.NewGuid().ToString("N")[..8];
        var endpoint = await LoadMetricsEndpoint.StartAsync(run);
        var targets = Path.Combine(Path.GetDirectoryName(config.Groups["path"].Value)!, "load-targets");
        Directory.CreateDirectory(targets);
        var entries = new[] { new { targets = new[] { endpoint.Url.Authority }, labels = new Dictionary<string, string> { ["cluster"] = clusterId } } };
        var path = Path.Combine(targets, run + ".json");
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(entries));
        File.Move(path + ".tmp", path);
        return new LoadRunFeed(endpoint, prometheus, clusterId, run);
    }

    /// <summary>Feeds each interval in turn, each once Prometheus has scraped the endpoint after the one before.</summary>
    public async Task FeedAsync()
    {
        foreach (var interval in Intervals)
        {
            _endpoint.Metrics.Observe(interval);
            var fed = DateTimeOffset.UtcNow;
            _checkpoints.Add(await UntilScrapedAfterAsync(fed));
        }
    }

    public ValueTask DisposeAsync() => _endpoint.DisposeAsync();

    // The time of the endpoint's newest successful scrape once one has started after the given instant (a sample's time
    // is its scrape's start, so that scrape read everything fed before it).
    private async Task<DateTimeOffset> UntilScrapedAfterAsync(DateTimeOffset fed)
    {
        var clock = Stopwatch.StartNew();
        var seen = "no sample";
        var up = $"up{{job=\"grainpool-load\", cluster=\"{_clusterId}\", instance=\"{_endpoint.Url.Authority}\"}}";
        while (true)
        {
            // timestamp() straight on the selector: of anything else (up == 1) it gives the evaluation time instead.
            var result = await _prometheus.QueryAsync($"timestamp({up}) and {up} == 1");
            if (result.Count == 1)
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(result[0].Value * 1000));
                if (at > fed)
                {
                    return at;
                }

                seen = $"newest scrape at {at:HH:mm:ss.fff}";
            }

            if (clock.Elapsed > WaitDeadline)
            {
                throw new TimeoutException($"Prometheus did not scrape the load endpoint {_endpoint.Url} after {fed:HH:mm:ss.fff} within {WaitDeadline.TotalSeconds} s ({seen})");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private static IntervalStats Interval(
        int index, (long Count, double Rps, double[] Latency, long Bytes) ok, (long Count, double Rps, long Bytes) fail, long late,
        params (string Name, long OkCount, double[] Latency, long FailCount)[] steps)
    {
        var duration = TimeSpan.FromSeconds(5);
        var none = Latency([0, 0, 0, 0, 0, 0, 0]);
        return new IntervalStats(
            Scenario, index, index * duration, duration, "Inject(rate: 2, interval: 00:00:01, during: 00:00:15)",
            new OutcomeStats(ok.Count, ok.Rps, Latency(ok.Latency), Latency(ok.Latency), ok.Bytes),
            new OutcomeStats(fail.Count, fail.Rps, none, none, fail.Bytes),
            [.. steps.Select(s => new StepStats(s.Name,
                new OutcomeStats(s.OkCount, s.OkCount / duration.TotalSeconds, Latency(s.Latency), Latency(s.Latency), 0),
                new OutcomeStats(s.FailCount, s.FailCount / duration.TotalSeconds, none, none, 0)))],
            late);
    }

    // Milliseconds: mean, p50, p75, p95, p99, p99.9, max.
    private static LatencyStats Latency(double[] ms) => new(ms[0], ms[1], ms[2], ms[3], ms[4], ms[5], ms[6]);

    [GeneratedRegex(@"with (?<path>\S+prometheus\.yml) \(from")]
    private static partial Regex StackConfig();
}
