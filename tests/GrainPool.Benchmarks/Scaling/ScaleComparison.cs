using System.Diagnostics;
using System.Globalization;
using GrainPool.Benchmarks.SideBySide;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Benchmarks.Scaling;

/// <summary>
/// The "Cluster" issue's scaling benchmark: the same jobs on in-process threads and on GrainPool clusters of silo
/// processes (one silo of one core, one silo of every core, one silo per core), side by side in one run. Every
/// configuration is started first and kept up, and the runs are interleaved (run 1 of every configuration, then run 2,
/// ...) so that all of them see the same machine; the best run of each is tabled with speedups, efficiency and the
/// cluster/in-process throughput ratio at equal cores. Results are checked; timings are reported, not gated.
/// </summary>
internal static class ScaleComparison
{
    /// <summary>Goal for range jobs: speedup on N cores at least 0.925 N (1.85 on 2 cores).</summary>
    public const double TargetEfficiency = 0.925;

    /// <summary>Goal: cluster throughput at least this fraction of in-process at equal cores, for range jobs.</summary>
    public const double TargetRangeRatio = 0.95;

    /// <summary>Goal: cluster throughput at least this fraction of in-process at equal cores, for the per-item map.</summary>
    public const double TargetMapRatio = 0.8;

    // Calibration probes double their range until one takes this long on one thread.
    private static readonly TimeSpan ProbeTime = TimeSpan.FromSeconds(0.3);

    public static async Task<int> RunAsync(RepoLayout layout, ScaleOptions options)
    {
        var total = Stopwatch.StartNew();
        var cores = Environment.ProcessorCount;
        await MachineReport.PrintAsync(layout);
        Console.WriteLine("## Scaling: cluster vs in-process");
        Console.WriteLine();
        Console.WriteLine($"N = Environment.ProcessorCount = {cores}. {options.Describe()}.");
        Console.WriteLine("Seconds are wall times around one job call, measured in this process (client side for clusters: " +
            "topology query, dispatch, results back); runs of all configurations interleaved.");
        Console.WriteLine();

        var jobs = await PrepareJobsAsync(layout, options);
        Console.WriteLine();

        var configurations = ScaleConfiguration.For(cores, options.Embedded || options.Only?.Contains("embedded") == true)
            .Where(c => options.Only is null || options.Only.Contains(c.Key)).ToList();
        var targets = new List<IScaleTarget>();
        var failed = false;
        try
        {
            Console.WriteLine("Configurations:");
            Console.WriteLine();
            foreach (var configuration in configurations)
            {
                var target = await StartAsync(configuration, options);
                if (target is null)
                {
                    failed = true;
                    continue;
                }

                targets.Add(target);
                Console.WriteLine($"- {configuration.Name}: {target.Layout}");
            }

            Console.WriteLine();
            foreach (var job in jobs)
            {
                failed |= !await MeasureAsync(job, targets, options.Runs);
            }
        }
        finally
        {
            for (var i = targets.Count - 1; i >= 0; i--)
            {
                await targets[i].DisposeAsync();
            }
        }

        Console.WriteLine($"load average at the end (1, 5, 15 min): {MachineReport.LoadAverage()}; whole command {total.Elapsed.TotalSeconds:F0} s.");
        Console.WriteLine();
        if (failed)
        {
            Console.WriteLine("SOME RESULTS ARE WRONG OR MISSING: see the result columns above.");
        }

        return failed ? 1 : 0;
    }

    private static async Task<IScaleTarget?> StartAsync(ScaleConfiguration configuration, ScaleOptions options)
    {
        if (configuration.Kind == ScaleKind.InProcess)
        {
            return new InProcessTarget(configuration);
        }

        var started = Stopwatch.StartNew();
        try
        {
            var target = await ClusterTarget.StartAsync(configuration, options.InFlightPerWorker);
            Console.Error.WriteLine($"  started {configuration.Name} in {started.Elapsed.TotalSeconds:F1} s");
            return target;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException or IOException or System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"- {configuration.Name}: COULD NOT START: {ex.Message}");
            return null;
        }
    }

    // Ranges are calibrated on one thread (unless given), and each job's reference computed, before any cluster starts.
    private static async Task<List<ScaleJob>> PrepareJobsAsync(RepoLayout layout, ScaleOptions options)
    {
        var jobs = new List<ScaleJob>();
        foreach (var kind in options.Jobs)
        {
            switch (kind)
            {
                case ScaleJobKind.Trial:
                    {
                        var first = options.TrialStart;
                        var width = options.TrialWidth ?? Calibrate("trial division", options.TrialSeconds, (ulong)long.MaxValue - first + 1,
                            w => new InProcessRunner(1).RunRange(new PrimeCountKernel(PrimalityMethod.Trial), first, first + w - 1));
                        var last = first + width - 1;
                        var (expected, reference) = await TrialReferenceAsync(first, last);
                        jobs.Add(new TrialCountJob(first, last, options.TrialChunk, expected, reference));
                        break;
                    }

                case ScaleJobKind.SqrtSum:
                    {
                        var last = options.SqrtWidth ?? Calibrate("sqrt-sum", options.SqrtSeconds, SqrtSum.MaxExclusive - 1,
                            w => new InProcessRunner(1).RunRange(new SqrtSumKernel(), 1, w));
                        if (last >= SqrtSum.MaxExclusive)
                        {
                            throw new ArgumentException($"--sqrt-width: sqrt sums take i below 2^50, not {last}");
                        }

                        jobs.Add(new SqrtSumJob(last, options.SqrtChunk));
                        break;
                    }

                case ScaleJobKind.Map:
                    {
                        var n = (ulong)options.MapItems;
                        var table = PrimesieveComparison.LoadReferenceCounts(layout.PrimeCountsFile);
                        var (expected, reference) = table.TryGetValue(n, out var pi)
                            ? (pi, $"pi({Count(n)}) in tests/reference/prime-counts.tsv")
                            : (PrimeCounting.CountBySieve(0, n), $"pi({Count(n)}) by our wheel sieve (not in the reference table)");
                        jobs.Add(new MapJob(options.MapItems, options.MapChunk, expected, reference));
                        break;
                    }
            }
        }

        return jobs;
    }

    // Doubling probes on one thread (the first ones also JIT the kernel) until one takes ProbeTime, then scales the
    // range linearly to the target and rounds it to two significant digits.
    private static ulong Calibrate(string name, double targetSeconds, ulong maxWidth, Action<ulong> run)
    {
        ulong width = 1024;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            run(width);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (seconds >= ProbeTime.TotalSeconds || width > maxWidth / 2)
            {
                var scaled = Math.Min(width * (targetSeconds / seconds), maxWidth);
                var unit = Math.Pow(10, Math.Max(0, Math.Floor(Math.Log10(scaled)) - 1));
                var rounded = (ulong)Math.Max(unit, Math.Round(scaled / unit) * unit);
                Console.WriteLine($"calibration: {name}: {Count(width)} numbers took {seconds:F3} s on 1 thread, so {Count(rounded)} numbers for about {targetSeconds:0.##} s.");
                return Math.Min(rounded, maxWidth);
            }

            width *= 2;
        }
    }

    // primesieve (an independent program) when installed; our wheel sieve, a different algorithm from trial division, otherwise.
    private static async Task<(ulong Count, string Reference)> TrialReferenceAsync(ulong first, ulong last)
    {
        var run = await ProcessRunner.FirstLineAsync("primesieve",
            first.ToString(CultureInfo.InvariantCulture), last.ToString(CultureInfo.InvariantCulture), "-c", "-q");
        if (ulong.TryParse(run, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            var version = await ProcessRunner.FirstLineAsync("primesieve", "--version");
            return (count, $"`primesieve {first} {last} -c -q` ({version?.Split(',')[0] ?? "primesieve"})");
        }

        return (PrimeCounting.CountBySieve(first, last), "our wheel sieve (`PrimeCounting.CountBySieve`; primesieve not found)");
    }

    private static async Task<bool> MeasureAsync(ScaleJob job, IReadOnlyList<IScaleTarget> targets, int runs)
    {
        Console.WriteLine($"### {job.Title}");
        Console.WriteLine();
        Console.WriteLine(job.Description);
        Console.WriteLine($"load average before this job (1, 5, 15 min): {MachineReport.LoadAverage()}");
        Console.WriteLine();

        var results = targets.ToDictionary(t => t.Configuration, _ => new List<ScaleRun>());
        var warmUps = new Dictionary<ScaleConfiguration, ScaleRun>();
        foreach (var target in targets)
        {
            warmUps[target.Configuration] = await RunOnceAsync(job, target, "warm-up");
        }

        for (var run = 1; run <= runs; run++)
        {
            // Rotated so that no configuration always runs first (or right after the heaviest one).
            foreach (var target in targets.Skip((run - 1) % targets.Count).Concat(targets.Take((run - 1) % targets.Count)))
            {
                results[target.Configuration].Add(await RunOnceAsync(job, target, $"run {run}/{runs}"));
            }
        }

        var rows = targets.Select(t => Summarize(t.Configuration, warmUps[t.Configuration], results[t.Configuration])).ToList();
        PrintTable(job, rows);
        return rows.All(r => r.Problem is null);
    }

    private static async Task<ScaleRun> RunOnceAsync(ScaleJob job, IScaleTarget target, string label)
    {
        ScaleRun run;
        try
        {
            run = await job.RunAsync(target);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            run = new ScaleRun(double.NaN, 0, 0, $"failed: {ex.GetType().Name}: {ex.Message}");
        }

        var where = RanOn(run.Workers, run.Silos, target.Configuration.Kind);
        Console.Error.WriteLine($"  {job.Kind} / {target.Configuration.Name} {label}: {Fixed(run.Seconds, 3)} s, {where}, {run.Problem ?? "ok"}");
        return run;
    }

    private sealed record Row(ScaleConfiguration Configuration, double Best, IReadOnlyList<double> Runs, int Workers, int Silos, string? Problem);

    private static Row Summarize(ScaleConfiguration configuration, ScaleRun warmUp, IReadOnlyList<ScaleRun> runs)
    {
        var all = runs.Prepend(warmUp).ToList();
        var problem = all.Select(r => r.Problem).FirstOrDefault(p => p is not null);
        var timed = runs.Where(r => r.Problem is null && double.IsFinite(r.Seconds)).ToList();
        var best = timed.Count > 0 ? timed.Min(r => r.Seconds) : double.NaN;
        var bestRun = timed.FirstOrDefault(r => r.Seconds == best) ?? warmUp;
        return new Row(configuration, best, [.. runs.Select(r => r.Seconds)], bestRun.Workers, bestRun.Silos, problem);
    }

    private static void PrintTable(ScaleJob job, IReadOnlyList<Row> rows)
    {
        double Throughput(Row? row) => row is null ? double.NaN : job.Work / row.Best;
        Row? Find(ScaleKind kind, int cores, int silos) => rows.FirstOrDefault(r => r.Configuration.Kind == kind && r.Configuration.Cores == cores && (kind == ScaleKind.InProcess || r.Configuration.Silos == silos));
        var inProcessOne = Find(ScaleKind.InProcess, 1, 0);
        var clusterOne = Find(ScaleKind.Cluster, 1, 1);

        var table = new TextTable("config", "cores", "best s", "runs s", job.Rate, "speedup vs own 1-core",
            "speedup vs in-process 1 thread", "efficiency", "cluster/in-process, equal cores", "ran on", "result");
        foreach (var row in rows)
        {
            var c = row.Configuration;
            var throughput = Throughput(row);
            var ownBase = c.Kind switch
            {
                ScaleKind.InProcess => inProcessOne,
                ScaleKind.Cluster => clusterOne,
                _ => null,
            };
            var ownSpeedup = throughput / Throughput(ownBase);
            var vsInProcess = throughput / Throughput(inProcessOne);
            var efficiency = (double.IsFinite(ownSpeedup) ? ownSpeedup : vsInProcess) / c.Cores;
            var ratio = c.Kind == ScaleKind.InProcess ? double.NaN : throughput / Throughput(Find(ScaleKind.InProcess, c.Cores, 0));
            table.Add(
                c.Name,
                c.Cores.ToString(CultureInfo.InvariantCulture),
                Fixed(row.Best, 3),
                string.Join(" ", row.Runs.Select(s => Fixed(s, 3))),
                double.IsFinite(throughput) ? Count(throughput) : "n/a",
                Ratio(ownSpeedup, "x"),
                Ratio(vsInProcess, "x"),
                Ratio(efficiency, "", 3),
                c.Kind == ScaleKind.InProcess ? "" : Ratio(ratio, "", 3),
                RanOn(row.Workers, row.Silos, c.Kind),
                row.Problem is null ? "ok" : "WRONG: " + row.Problem);
        }

        table.Print(Console.Out);
        Console.WriteLine();
        Console.WriteLine($"result: {job.ResultText}. Efficiency = speedup vs own 1-core / cores (the embedded row: vs in-process 1 thread).");
        PrintTargets(job, rows, Throughput, Find, inProcessOne, clusterOne);
        Console.WriteLine();
    }

    private static void PrintTargets(ScaleJob job, IReadOnlyList<Row> rows, Func<Row?, double> throughput,
        Func<ScaleKind, int, int, Row?> find, Row? inProcessOne, Row? clusterOne)
    {
        var parts = new List<string>();
        if (job.IsRange)
        {
            var multi = rows.Where(r => r.Configuration.Cores > 1 && r.Configuration.Kind != ScaleKind.Embedded).ToList();
            if (multi.Count > 0)
            {
                parts.Add($"speedup on N cores >= {TargetEfficiency:0.###} N ({TargetEfficiency * 2:0.00} on 2): " + string.Join("; ", multi.Select(r =>
                {
                    var speedup = throughput(r) / throughput(r.Configuration.Kind == ScaleKind.InProcess ? inProcessOne : clusterOne);
                    return $"{r.Configuration.Name} {Ratio(speedup, "x", 3)} {Verdict(speedup >= TargetEfficiency * r.Configuration.Cores, speedup)}";
                })));
            }
        }

        var target = job.IsRange ? TargetRangeRatio : TargetMapRatio;
        var clusters = rows.Where(r => r.Configuration.Kind != ScaleKind.InProcess).ToList();
        if (clusters.Count > 0)
        {
            parts.Add($"cluster/in-process >= {target:0.00} at equal cores: " + string.Join("; ", clusters.Select(r =>
            {
                var ratio = throughput(r) / throughput(find(ScaleKind.InProcess, r.Configuration.Cores, 0));
                return $"{r.Configuration.Name} {Ratio(ratio, "", 3)} {Verdict(ratio >= target, ratio)}";
            })));
        }

        foreach (var part in parts)
        {
            Console.WriteLine("target: " + part + ".");
        }
    }

    private static string RanOn(int workers, int silos, ScaleKind kind) => kind == ScaleKind.InProcess
        ? Plural(workers, "thread")
        : $"{Plural(workers, "worker")} on {Plural(silos, "silo")}";

    private static string Plural(int count, string noun) => count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? "" : "s");

    private static string Verdict(bool met, double value) => double.IsFinite(value) ? (met ? "(met)" : "(MISSED)") : "(n/a)";

    private static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Fixed(double value, int decimals) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

    private static string Ratio(double value, string suffix, int decimals = 2) =>
        double.IsFinite(value) ? Fixed(value, decimals) + suffix : "n/a";
}
