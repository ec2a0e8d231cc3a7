using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using GrainPool.Hosting.Launching;

namespace GrainPool.Observability.Tests;

/// <summary>
/// The real observability stack, as a user starts it: <c>grainpool stack --silos 2</c> (two pinned silo processes and
/// Debian's prometheus with the project's configuration and rules, scraping every second), then a workload that
/// leaves something in every series the dashboards and rules read: the same trial-division job run by the CLI on one
/// worker and on two (the CLI's own speedup), a chunk that fails on a silo, and a job cancelled mid-way.
/// </summary>
public sealed partial class StackFixture : IAsyncLifetime
{
    /// <summary>The scrape (and rule evaluation) interval the stack runs with.</summary>
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);

    // Trial division near 10^11: the same job on one worker and on two. Its size no longer matters to any assertion
    // (the fixture waits until Prometheus has scraped each run's last item, however short or long the run): it is
    // about 3 s on one of this machine's cores, enough for the speedup the test prints to mean something.
    private const ulong TrialFirst = 100_000_000_000;
    private const ulong TrialWidth = 100_000;
    private const ulong WarmUpWidth = TrialWidth / 20;
    private const string TrialKernel = "prime-count/trial";

    // How long a condition the fixture waits on may take before it fails with what it saw: generous, never a pass mark.
    private static readonly TimeSpan WaitDeadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(120);

    private Process? _stack;
    private readonly List<string> _stackOutput = [];

    /// <summary>The cluster id: every series of this stack carries <c>cluster="..."</c> with it.</summary>
    public string ClusterId { get; } = "obs-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Prometheus' HTTP API.</summary>
    public PrometheusApi Prometheus { get; private set; } = null!;

    /// <summary>The silos: name, gateway port and HTTP address (metrics, health, dashboard).</summary>
    public IReadOnlyList<(string Name, int GatewayPort, Uri Http, int Cores)> Silos { get; private set; } = [];

    /// <summary>The <c>--cluster</c> value for the CLI.</summary>
    public string Gateways => string.Join(',', Silos.Select(s => "127.0.0.1:" + s.GatewayPort.ToString(CultureInfo.InvariantCulture)));

    /// <summary>What <c>grainpool stack</c> printed.</summary>
    public string StackOutput => string.Join('\n', _stackOutput);

    /// <summary>The CLI's times for the trial job on one worker and on two (printed by a test, never asserted).</summary>
    public TrialRuns Trial { get; private set; } = null!;

    /// <summary>
    /// Instants (Prometheus sample times) at which Prometheus holds a known state of the workload: the last item of the
    /// one-worker trial run scraped, the last item of the two-worker run scraped, the cancelled job's chunks counted
    /// on every silo, and the settled end (every counter at the value the silos serve, and every rule group evaluated
    /// after that scrape). Tests evaluate expressions at these instants, so they do not depend on when they run.
    /// </summary>
    public IReadOnlyList<(string Name, DateTimeOffset At)> Checkpoints => _checkpoints;

    /// <summary>The settled end of the workload (the last of <see cref="Checkpoints"/>).</summary>
    public DateTimeOffset SettledAt => _checkpoints[^1].At;

    private readonly List<(string Name, DateTimeOffset At)> _checkpoints = [];

    /// <summary>
    /// A load test's metrics endpoint, scraped by the stack's Prometheus as a load runner of the cluster and fed known
    /// intervals while the silo workload runs (the load dashboard's series); it serves until the fixture ends.
    /// </summary>
    public LoadRunFeed Load { get; private set; } = null!;

    /// <summary>The repository's dashboards folder.</summary>
    public static string DashboardsDirectory { get; } = Path.GetDirectoryName(Path.GetDirectoryName(LocalPrometheus.FindProjectConfig(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"{LocalPrometheus.ProjectConfigRelativePath} not found above {AppContext.BaseDirectory}")))!;

    /// <summary>A program the observability tests need (Debian packages that test.sh installs), or a failure that says so.</summary>
    public static string Require(string program, string package) =>
        LocalPrometheus.FindOnPath(program) ?? throw new InvalidOperationException(
            $"'{program}' is not on PATH: these tests run the real thing; install Debian's {package} package (apt-get install -y {package}), as test.sh does as root");

    public async Task InitializeAsync()
    {
        Require("prometheus", "prometheus");
        _stack = CliProcess.Start("stack", "--silos", "2", "--prometheus-port", "0", "--scrape-interval", "1", "--cluster-id", ClusterId);
        await ReadUntilReadyAsync(_stack);
        await WaitForScrapesAsync();
        Load = await LoadRunFeed.StartAsync(ClusterId, StackOutput, Prometheus);
        var load = Load.FeedAsync(); // beside the silos' workload: the two share nothing but Prometheus
        await RunWorkloadAsync();
        await load;
        _checkpoints.Add(("settled", await UntilPrometheusHasTheSilosCountersAndRulesOverThemAsync()));
    }

    public async Task DisposeAsync()
    {
        if (Load is not null)
        {
            await Load.DisposeAsync();
        }

        if (_stack is null)
        {
            return;
        }

        if (!_stack.HasExited)
        {
            await CliProcess.SignalAsync(_stack.Id, "TERM");

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _stack.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _stack.Kill(entireProcessTree: true);
            }
        }

        _stack.Dispose();
    }

    /// <summary>A GET of <paramref name="url"/>'s body.</summary>
    public static async Task<string> GetAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(url);
    }

    private async Task ReadUntilReadyAsync(Process stack)
    {
        using var deadline = new CancellationTokenSource(StartDeadline);
        var silos = new List<(string, int, Uri, int)>();
        try
        {
            while (await stack.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                _stackOutput.Add(line);
                if (SiloLine().Match(line) is { Success: true } silo)
                {
                    silos.Add((silo.Groups["name"].Value, int.Parse(silo.Groups["gateway"].Value, CultureInfo.InvariantCulture), new Uri(silo.Groups["http"].Value + "/"),
                        int.Parse(silo.Groups["cores"].Value, CultureInfo.InvariantCulture)));
                }
                else if (PrometheusLine().Match(line) is { Success: true } prometheus)
                {
                    Prometheus = new PrometheusApi(new Uri(prometheus.Groups["url"].Value + "/"));
                }
                else if (line == "grainpool stack ready")
                {
                    Silos = silos;
                    Assert.True(Prometheus is not null, "grainpool stack started no Prometheus:\n" + StackOutput);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with what was printed.
        }

        var stderr = stack.HasExited ? await stack.StandardError.ReadToEndAsync() : "(still running)";
        throw new InvalidOperationException($"grainpool stack was not ready within {StartDeadline.TotalSeconds} s.\nstdout:\n{StackOutput}\nstderr:\n{stderr}");
    }

    private async Task WaitForScrapesAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var up = await Prometheus.QueryAsync($"up{{job=\"grainpool-silos\", cluster=\"{ClusterId}\"}} == 1");
            if (up.Count == Silos.Count)
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Prometheus did not scrape all {Silos.Count} silos within 60 s (up: {up.Count}).");
            }

            await Task.Delay(ScrapeInterval);
        }
    }

    private async Task RunWorkloadAsync()
    {
        // Warm up both workers (activations, JIT in each silo process), then the same count on one worker and on two.
        // After each, wait until Prometheus has scraped the trial kernel's items at exactly the numbers counted so far
        // (a range job counts each number once): known by construction, and the instant the checks evaluate at.
        var trialItems = $"sum(grainpool_items_completed_total{{cluster=\"{ClusterId}\", kernel=\"{TrialKernel}\"}})";
        await RunTrialAsync(2, WarmUpWidth);
        var oneWorker = await RunTrialAsync(1, TrialWidth);
        _checkpoints.Add(("trial on 1 worker", await UntilPrometheusShowsAsync(trialItems, v => v == WarmUpWidth + TrialWidth, $"{WarmUpWidth + TrialWidth} trial items")));
        var twoWorkers = await RunTrialAsync(2, TrialWidth);
        _checkpoints.Add(("trial on 2 workers", await UntilPrometheusShowsAsync(trialItems, v => v == WarmUpWidth + (2 * TrialWidth), $"{WarmUpWidth + (2 * TrialWidth)} trial items")));
        Trial = new TrialRuns(oneWorker, twoWorkers);

        var gateways = Silos.Select(s => new IPEndPoint(IPAddress.Loopback, s.GatewayPort)).ToArray();
        await using var connection = await GrainPoolConnection.ConnectAsync(gateways, ClusterId);
        var pool = connection.Client;

        // A chunk that fails on its worker: the silo-side check of a range (the client library checks it first, so call
        // the worker directly, as a client of another version might).
        var worker = (await pool.GetTopologyAsync()).Workers()[0];
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            pool.Grains.GetGrain<IComputeWorkerGrain>(worker.Core, worker.Silo).ComputeRangeAsync<ulong>(Guid.NewGuid(), BuiltInKernels.PrimeCountSieve.Id, 10, 5));

        // A map (the per-item path) and a job cancelled while its chunks run.
        var map = await pool.MapAsync(BuiltInKernels.IsPrimeTrial, [.. Enumerable.Range(1, 10_000).Select(i => (long)i)]);
        Assert.Equal(1229, map.Results.Count(p => p)); // pi(10^4), OEIS A006880

        // Cancel only once every silo has a chunk running, then wait until each silo counts a cancelled chunk. The chunks
        // are 10^13 numbers of sieving, far longer than any wait here on any machine (the job never ends by itself), so
        // the chunk each silo runs when the cancellation comes is still running then and must be counted as cancelled;
        // with short chunks one could end just before the cancel and leave its silo with nothing cancelled.
        using var cancel = new CancellationTokenSource();
        var job = pool.CountPrimesAsync(0, 1_000_000_000_000_000, options: new RangeOptions { ChunkSize = 10_000_000_000_000 }, cancellationToken: cancel.Token);
        await UntilEverySiloReportsAsync("grainpool_chunks_running{", value => value >= 1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        await UntilEverySiloReportsAsync("grainpool_chunks_cancelled_total{", value => value >= 1);
        // In Prometheus too, with the sieve's busy time (chunks that ran, then were cancelled: busy, no items).
        _checkpoints.Add(("cancelled job", await UntilPrometheusShowsAsync(
            $"count(sum by (silo) (grainpool_chunks_cancelled_total{{cluster=\"{ClusterId}\"}}) >= 1)", v => v == Silos.Count, $"a cancelled chunk on each of the {Silos.Count} silos")));
    }

    // Polls Prometheus until the single series of expr satisfies the condition; returns the newest sample time of the
    // GrainPool series the stack's Prometheus holds then, an instant at which the condition holds.
    private async Task<DateTimeOffset> UntilPrometheusShowsAsync(string expr, Func<double, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        var seen = "nothing";
        while (true)
        {
            var result = await Prometheus.QueryAsync(expr);
            seen = string.Join(", ", result.Select(r => r.Value.ToString("R", CultureInfo.InvariantCulture)));
            if (result.Count == 1 && condition(result[0].Value))
            {
                var newest = await Prometheus.QueryAsync($"max(timestamp(up{{job=\"grainpool-silos\", cluster=\"{ClusterId}\"}}))");
                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(newest.Single().Value * 1000));
            }

            if (clock.Elapsed > WaitDeadline)
            {
                throw new TimeoutException($"Prometheus did not show {what} within {WaitDeadline.TotalSeconds} s: {expr} stayed at [{seen}]");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    // After the workload nothing runs: waits until Prometheus' newest sample of each of GrainPool's counters on each silo
    // is the value that silo serves now (re-read until the two agree, in case a refused chunk counts late) and every
    // such series has at least two samples (what rate() needs), then until every rule group has been evaluated after
    // those samples. Returns that evaluation time.
    private async Task<DateTimeOffset> UntilPrometheusHasTheSilosCountersAndRulesOverThemAsync()
    {
        string[] counters = ["grainpool_items_completed_total", "grainpool_chunks_completed_total", "grainpool_chunks_cancelled_total", "grainpool_chunks_failed_total", "grainpool_worker_busy_seconds_total"];
        var clock = Stopwatch.StartNew();
        var differences = new List<string>();
        double? matchedAt = null;
        while (true)
        {
            differences.Clear();
            foreach (var silo in Silos)
            {
                var scrape = (await GetAsync(new Uri(silo.Http, "metrics"))).Split('\n');
                foreach (var counter in counters)
                {
                    var lines = scrape.Where(l => l.StartsWith(counter + "{", StringComparison.Ordinal)).ToList();
                    double? served = lines.Count == 0 ? null : lines.Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
                    var stored = (await Prometheus.QueryAsync($"sum({counter}{{cluster=\"{ClusterId}\", silo=\"{silo.Name}\"}})")).SingleOrDefault()?.Value;
                    // A family a silo does not serve (no chunk failed there) must be absent from Prometheus too.
                    if (stored.HasValue != served.HasValue || (stored is { } value && served is { } expected && Math.Abs(value - expected) > 1e-9 * Math.Max(1, Math.Abs(expected))))
                    {
                        differences.Add($"{silo.Name} {counter}: served {served?.ToString("R", CultureInfo.InvariantCulture) ?? "none"}, Prometheus {stored?.ToString("R", CultureInfo.InvariantCulture) ?? "none"}");
                    }

                    // rate() needs two samples of a series: one that first appeared late in the workload (a failure's
                    // series carries its error type, so it starts at the failure) must have been scraped twice.
                    var samples = (await Prometheus.QueryAsync($"min(count_over_time({counter}{{cluster=\"{ClusterId}\", silo=\"{silo.Name}\"}}[10m]))")).SingleOrDefault()?.Value;
                    if (samples is < 2)
                    {
                        differences.Add($"{silo.Name} {counter}: a series with {samples} sample in Prometheus");
                    }
                }
            }

            if (differences.Count > 0)
            {
                matchedAt = null;
            }
            else
            {
                // The newest sample when the counters first matched: the rules must have been evaluated after it.
                var newest = matchedAt ??= (await Prometheus.QueryAsync($"max(timestamp(up{{job=\"grainpool-silos\", cluster=\"{ClusterId}\"}}))")).Single().Value;
                var evaluations = (await Prometheus.RulesAsync()).GetProperty("groups").EnumerateArray()
                    .Select(g => ParseRfc3339(g.GetProperty("lastEvaluation").GetString()!)).ToList();
                // A sample's time is its scrape's start, stored when the scrape ends (within the 1 s scrape timeout):
                // evaluations more than that after it saw it.
                if (evaluations.All(e => e.ToUnixTimeMilliseconds() / 1000.0 > newest + ScrapeInterval.TotalSeconds))
                {
                    return evaluations.Max(); // the latest evaluation of every group at or before it is one of these
                }

                differences.Add($"rule groups last evaluated at {string.Join(", ", evaluations.Select(e => e.ToString("O", CultureInfo.InvariantCulture)))}, newest sample {newest:R}");
            }

            if (clock.Elapsed > WaitDeadline)
            {
                throw new TimeoutException($"Prometheus did not hold the silos' final counters and rules evaluated over them within {WaitDeadline.TotalSeconds} s:\n" + string.Join('\n', differences));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    // Polls every silo's /metrics until the series starting with seriesPrefix satisfies the condition on each.
    private async Task UntilEverySiloReportsAsync(string seriesPrefix, Func<double, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var values = new List<double>();
            foreach (var silo in Silos)
            {
                var scrape = await GetAsync(new Uri(silo.Http, "metrics"));
                values.Add(scrape.Split('\n').Where(l => l.StartsWith(seriesPrefix, StringComparison.Ordinal))
                    .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)));
            }

            if (values.All(condition))
            {
                return;
            }

            if (clock.Elapsed > WaitDeadline)
            {
                throw new TimeoutException($"{seriesPrefix}...}} on the silos stayed at {string.Join(", ", values)} for {WaitDeadline.TotalSeconds} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private async Task<double> RunTrialAsync(int workers, ulong width)
    {
        var result = await CliProcess.RunAsync(
            "--cluster", Gateways, "--cluster-id", ClusterId, "--threads", workers.ToString(CultureInfo.InvariantCulture), "--json",
            "primes", "count", "--method", "trial",
            "--from", TrialFirst.ToString(CultureInfo.InvariantCulture), "--to", (TrialFirst + width - 1).ToString(CultureInfo.InvariantCulture));
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(workers, json.RootElement.GetProperty("workers").GetInt32());
        return json.RootElement.GetProperty("elapsedMs").GetDouble();
    }

    // Prometheus writes nanoseconds; .NET parses at most seven fractional digits.
    private static DateTimeOffset ParseRfc3339(string text) =>
        DateTimeOffset.Parse(Regex.Replace(text, @"(\.\d{7})\d+", "$1"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [GeneratedRegex(@"^silo (?<name>\S+): gateway 127\.0\.0\.1:(?<gateway>\d+), (?<cores>\d+) cores, metrics (?<http>http://[^ ]+)/metrics,")]
    private static partial Regex SiloLine();

    [GeneratedRegex(@"^prometheus (?<url>http://[^ :]+:\d+):")]
    private static partial Regex PrometheusLine();
}

// Not in parallel with the other collections of this assembly: the fixture's checkpoints and counts assume that only
// its own workload runs on the stack.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "observability stack";
}

/// <summary>The CLI's times for the same trial job on one and on two workers.</summary>
public sealed record TrialRuns(double OneWorkerMs, double TwoWorkersMs);
