using System.Diagnostics;
using System.Globalization;
using GrainPool.Abstractions;
using GrainPool.Benchmarks.Scaling;
using GrainPool.Benchmarks.SideBySide;
using GrainPool.Client;
using GrainPool.Hosting.Launching;

namespace GrainPool.Benchmarks.Cancellation;

/// <summary>
/// Cancellation latency on silo processes: each run starts a job that cannot end by itself within the run, waits until
/// a chunk of it runs on every silo (the silos' own <c>grainpool_chunks_running</c> on <c>/metrics</c>), cancels it (or,
/// for the unordered map, leaves the <c>await foreach</c>), and measures from that moment (a) until the caller's call
/// returns with <see cref="OperationCanceledException"/> (or the loop is left and disposed) and (b) until every silo
/// reports no chunk running. Results are checked (the caller saw the cancellation, every silo counted a cancelled
/// chunk and went idle within the deadline); the times are reported, not gated.
/// </summary>
internal static class CancelBenchmark
{
    // A prime near 10^14: the seed's is_prime divides by every integer up to 10^7, ~0.1 s per item on one core.
    private const long SlowPrime = 100_000_000_000_031;
    private const int SlowItems = 100_000;

    // Trial division near 10^12 in chunks of 10^7 numbers: each chunk is minutes of work on any current core, so the
    // chunks that run when the cancellation comes are stopped in the middle, never finished.
    private const ulong RangeFirst = 1_000_000_000_000;
    private const ulong RangeChunk = 10_000_000;
    private const ulong RangeWidth = 100 * RangeChunk;

    public static async Task<int> RunAsync(RepoLayout layout, CancelOptions options)
    {
        var total = Stopwatch.StartNew();
        await MachineReport.PrintAsync(layout);
        Console.WriteLine("## Cancellation latency");
        Console.WriteLine();
        Console.WriteLine($"{options.Describe()}.");
        Console.WriteLine();

        var configuration = new ScaleConfiguration(ScaleKind.Cluster, Environment.ProcessorCount, options.Silos);
        await using var target = await ClusterTarget.StartAsync(configuration, inFlightPerWorker: null);
        Console.WriteLine($"- {configuration.Name}: {target.Layout}");
        Console.WriteLine();

        var silos = target.SiloProcesses;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var poller = new ChunksRunningPoller(http, silos, options.PollInterval, options.Deadline);
        var table = new TextTable("job", "runs", "caller: min", "median", "p90", "max", "every silo idle: min", "median", "p90", "max", "poll round (median)", "silos that counted a cancelled chunk");
        var failures = new List<string>();
        foreach (var kind in options.Jobs)
        {
            var callerMs = new List<double>();
            var idleMs = new List<double>();
            var pollMs = new List<double>();
            var silosCancelled = new List<int>();
            for (var run = 0; run <= options.Runs; run++)
            {
                try
                {
                    var measured = await MeasureOnceAsync(kind, target.Client, poller, options.Deadline);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    {Name(kind)} run {run}{(run == 0 ? " (warm-up)" : "")}: caller {measured.CallerMs:0.0} ms, every silo idle {measured.IdleMs:0.0} ms, {measured.SilosCancelled} of {silos.Count} silos counted a cancelled chunk"));
                    if (run > 0)
                    {
                        callerMs.Add(measured.CallerMs);
                        idleMs.Add(measured.IdleMs);
                        pollMs.Add(measured.PollRoundMs);
                        silosCancelled.Add(measured.SilosCancelled);
                    }
                }
                catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
                {
                    failures.Add($"{Name(kind)} run {run}: {ex.Message}");
                    Console.Error.WriteLine($"    {Name(kind)} run {run}: FAILED: {ex.Message}");
                    await poller.UntilEverySiloAsync(running => running == 0); // leave the next run a quiet cluster
                }
            }

            if (callerMs.Count > 0)
            {
                table.Add([Name(kind), callerMs.Count.ToString(CultureInfo.InvariantCulture), .. Summary(callerMs), .. Summary(idleMs), Ms(Percentile(pollMs, 0.5)),
                    string.Create(CultureInfo.InvariantCulture, $"{silosCancelled.Min()} to {silosCancelled.Max()} of {silos.Count}")]);
            }
        }

        Console.WriteLine("Milliseconds from the cancel (or the abandoning `break`) to: the caller's call returning with OperationCanceledException " +
            "(unordered: the `await foreach` left and its enumerator disposed); and the first poll of every silo's /metrics that shows " +
            "grainpool_chunks_running 0 on all of them. That second figure is an upper bound, late by at most one poll round plus the " +
            $"pause between rounds ({options.PollInterval.TotalMilliseconds:0} ms).");
        Console.WriteLine();
        table.Print(Console.Out);
        Console.WriteLine();
        foreach (var failure in failures)
        {
            Console.WriteLine($"FAILED: {failure}");
        }

        Console.WriteLine($"load average at the end (1, 5, 15 min): {MachineReport.LoadAverage()}; whole command {total.Elapsed.TotalSeconds:F0} s.");
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task<(double CallerMs, double IdleMs, double PollRoundMs, int SilosCancelled)> MeasureOnceAsync(
        CancelJobKind kind, GrainPoolClient client, ChunksRunningPoller poller, TimeSpan deadline)
    {
        await poller.UntilEverySiloAsync(running => running == 0);
        var cancelledBefore = await poller.CancelledChunksAsync();
        using var cancel = new CancellationTokenSource();
        try
        {
            return await MeasureJobAsync(kind, client, poller, deadline, cancel, cancelledBefore);
        }
        finally
        {
            // A run that failed part-way must not leave its job running into the next one.
            await cancel.CancelAsync();
        }
    }

    private static async Task<(double CallerMs, double IdleMs, double PollRoundMs, int SilosCancelled)> MeasureJobAsync(
        CancelJobKind kind, GrainPoolClient client, ChunksRunningPoller poller, TimeSpan deadline, CancellationTokenSource cancel, double[] cancelledBefore)
    {
        long cancelledAt;
        long callerDoneAt;
        if (kind == CancelJobKind.Unordered)
        {
            // Abandoned, not cancelled: the loop is left at the first result after every silo runs a chunk.
            var everySiloRuns = poller.UntilEverySiloAsync(running => running >= 1);
            var items = Enumerable.Repeat(SlowPrime, SlowItems).ToArray();
            var loop = Task.Run(async () =>
            {
                await foreach (var result in client.MapUnorderedAsync(BuiltInKernels.IsPrimeTrial, items, cancellationToken: cancel.Token))
                {
                    if (!result.Result)
                    {
                        throw new InvalidOperationException($"is_prime({SlowPrime}) came back false");
                    }

                    if (everySiloRuns.IsCompletedSuccessfully)
                    {
                        return Stopwatch.GetTimestamp();
                    }
                }

                throw new InvalidOperationException("the unordered map of slow items ended by itself");
            });
            cancelledAt = await loop.WaitAsync(deadline);
            callerDoneAt = Stopwatch.GetTimestamp();
        }
        else
        {
            Task job = kind == CancelJobKind.Range
                ? client.CountPrimesAsync(RangeFirst, RangeFirst + RangeWidth - 1, BuiltInKernels.PrimeCountTrial, new RangeOptions { ChunkSize = RangeChunk }, cancel.Token)
                : client.MapAsync(BuiltInKernels.IsPrimeTrial, Enumerable.Repeat(SlowPrime, SlowItems).ToArray(), cancellationToken: cancel.Token);
            await poller.UntilEverySiloAsync(running => running >= 1);
            if (job.IsCompleted)
            {
                throw new InvalidOperationException($"the {Name(kind)} job ended before it was cancelled: {job.Status}");
            }

            cancelledAt = Stopwatch.GetTimestamp();
            await cancel.CancelAsync();
            try
            {
                await job.WaitAsync(deadline);
                throw new InvalidOperationException($"the cancelled {Name(kind)} job completed instead of being cancelled");
            }
            catch (OperationCanceledException)
            {
                callerDoneAt = Stopwatch.GetTimestamp();
            }
        }

        var (idleAt, pollRound) = await poller.UntilEverySiloAsync(running => running == 0);
        var cancelledAfter = await poller.CancelledChunksAsync();
        var untouched = cancelledAfter.Select((after, i) => (after, i)).Where(x => x.after <= cancelledBefore[x.i]).Select(x => poller.SiloName(x.i)).ToList();
        // A cancel comes while every silo runs a chunk that cannot have ended, so every silo must count one. An
        // abandoned loop is left at a result, that is just as some silo's chunk ended: that silo may have had nothing
        // left running to cancel, so there the count is reported, not required.
        if (untouched.Count > 0 && kind != CancelJobKind.Unordered)
        {
            throw new InvalidOperationException($"the cancellation did not reach {string.Join(", ", untouched)}: no chunk counted as cancelled there");
        }

        return (Stopwatch.GetElapsedTime(cancelledAt, callerDoneAt).TotalMilliseconds, Stopwatch.GetElapsedTime(cancelledAt, idleAt).TotalMilliseconds, pollRound,
            cancelledAfter.Length - untouched.Count);
    }

    private static string Name(CancelJobKind kind) => kind switch
    {
        CancelJobKind.Range => "range: trial count near 10^12, chunks of 10^7",
        CancelJobKind.Map => "map: is_prime of a prime near 10^14 (~0.1 s an item)",
        _ => "unordered map, abandoned (same items)",
    };

    private static string[] Summary(List<double> values) =>
        [Ms(values.Min()), Ms(Percentile(values, 0.5)), Ms(Percentile(values, 0.9)), Ms(values.Max())];

    // Nearest-rank percentile.
    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);

    /// <summary>Reads every silo's <c>/metrics</c> (all silos at once per round), for the GrainPool series the benchmark needs.</summary>
    private sealed class ChunksRunningPoller(HttpClient http, IReadOnlyList<LocalSiloProcess> silos, TimeSpan interval, TimeSpan deadline)
    {
        public string SiloName(int index) => silos[index].Name;

        /// <summary>Polls until every silo's chunks running satisfy the condition; returns when (the end of that round) and the round's duration.</summary>
        public async Task<(long At, double RoundMs)> UntilEverySiloAsync(Func<double, bool> condition)
        {
            var clock = Stopwatch.StartNew();
            double[] running = [];
            while (clock.Elapsed < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                running = await SumAsync("grainpool_chunks_running{");
                var at = Stopwatch.GetTimestamp();
                if (running.All(condition))
                {
                    return (at, Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
                }

                await Task.Delay(interval);
            }

            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"grainpool_chunks_running stayed at [{string.Join(", ", running)}] on {string.Join(", ", silos.Select(s => s.Name))} for {deadline.TotalSeconds:0} s"));
        }

        public Task<double[]> CancelledChunksAsync() => SumAsync("grainpool_chunks_cancelled_total{");

        private async Task<double[]> SumAsync(string seriesPrefix) => await Task.WhenAll(silos.Select(async silo =>
        {
            var scrape = await http.GetStringAsync(new Uri(silo.HttpUrl, "metrics"));
            return scrape.Split('\n').Where(l => l.StartsWith(seriesPrefix, StringComparison.Ordinal))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }));
    }
}
