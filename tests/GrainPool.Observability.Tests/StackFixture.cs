using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using GrainPool.Silo.Launching;

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

    // Trial division near 10^11 costs the same for every number (~30 us each on this machine's cores): a job of about
    // 12 s on one worker and 6 s on two, long enough that the start (small first chunks) and the tail weigh little
    // in the CLI's times, and for several 1 s scrapes inside the two-worker run.
    private const ulong TrialFirst = 100_000_000_000;
    private const ulong TrialWidth = 400_000;

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

    /// <summary>The CLI's times for the trial job on one worker and on two, and when the two-worker run ran.</summary>
    public TrialRuns Trial { get; private set; } = null!;

    /// <summary>The repository's dashboards folder.</summary>
    public static string DashboardsDirectory { get; } = Path.GetDirectoryName(Path.GetDirectoryName(LocalPrometheus.FindProjectConfig(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"{LocalPrometheus.ProjectConfigRelativePath} not found above {AppContext.BaseDirectory}")))!;

    /// <summary>A program the observability tests need (Debian packages that .ci/run installs), or a failure that says so.</summary>
    public static string Require(string program, string package) =>
        LocalPrometheus.FindOnPath(program) ?? throw new InvalidOperationException(
            $"'{program}' is not on PATH: these tests run the real thing; install Debian's {package} package (apt-get install -y {package}), as .ci/run does");

    public async Task InitializeAsync()
    {
        Require("prometheus", "prometheus");
        _stack = CliProcess.Start("stack", "--silos", "2", "--prometheus-port", "0", "--scrape-interval", "1", "--cluster-id", ClusterId);
        await ReadUntilReadyAsync(_stack);
        await WaitForScrapesAsync();
        await RunWorkloadAsync();

        // Let the last samples be scraped and the rules evaluate over them.
        await Task.Delay(ScrapeInterval * 4);
    }

    public async Task DisposeAsync()
    {
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
        // Warm up both workers (activations, JIT in each silo process), as a benchmark would, then measure.
        await RunTrialAsync(2, TrialWidth / 20);
        var oneStart = DateTimeOffset.UtcNow;
        var oneWorker = await RunTrialAsync(1);
        var oneEnd = DateTimeOffset.UtcNow;
        var twoStart = DateTimeOffset.UtcNow;
        var twoWorkers = await RunTrialAsync(2);
        var twoEnd = DateTimeOffset.UtcNow;
        Trial = new TrialRuns(oneWorker, twoWorkers, (oneStart, oneEnd), (twoStart, twoEnd));

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
        // are fixed at 5 x 10^10 numbers, several seconds of sieving each: with the default half-second chunks, a silo
        // whose chunk ended just before the cancellation arrived (its queued one dropped by Orleans) counted none.
        using var cancel = new CancellationTokenSource();
        var job = pool.CountPrimesAsync(0, 10_000_000_000_000, options: new RangeOptions { ChunkSize = 50_000_000_000 }, cancellationToken: cancel.Token);
        await UntilEverySiloReportsAsync("grainpool_chunks_running{", value => value >= 1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        await UntilEverySiloReportsAsync("grainpool_chunks_cancelled_total{", value => value >= 1);
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

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"{seriesPrefix}...}} on the silos stayed at {string.Join(", ", values)} for 60 s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private async Task<double> RunTrialAsync(int workers, ulong width = TrialWidth)
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

    [GeneratedRegex(@"^silo (?<name>\S+): gateway 127\.0\.0\.1:(?<gateway>\d+), (?<cores>\d+) cores, metrics (?<http>http://[^ ]+)/metrics,")]
    private static partial Regex SiloLine();

    [GeneratedRegex(@"^prometheus (?<url>http://[^ :]+:\d+):")]
    private static partial Regex PrometheusLine();
}

// Not in parallel with the other collections of this assembly: the speedup comparison needs the two cores for itself.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "observability stack";
}

/// <summary>The CLI's times for the same trial job on one and on two workers, and when each ran (wall clock).</summary>
public sealed record TrialRuns(
    double OneWorkerMs,
    double TwoWorkersMs,
    (DateTimeOffset Start, DateTimeOffset End) OneWorker,
    (DateTimeOffset Start, DateTimeOffset End) TwoWorkers);
