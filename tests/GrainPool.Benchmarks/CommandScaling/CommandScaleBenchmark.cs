using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GrainPool.Benchmarks.SideBySide;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;

namespace GrainPool.Benchmarks.CommandScaling;

/// <summary>
/// Issue 9's target table on the path users run: every workload is a whole <c>grainpool ... --json</c> process, on
/// in-process threads (1 and all cores) and on warm clusters of real silo processes pinned to CPUs (1 silo x all cores,
/// one silo per core) reached with <c>--cluster</c>, interleaved round by round. Job seconds are the command's own
/// <c>elapsedMs</c>; the wall time of the whole process (start, connect, output) is reported beside it. Every result is
/// checked; the targets are reported, not gated.
/// </summary>
internal static class CommandScaleBenchmark
{
    /// <summary>Cluster at least this fraction of in-process throughput on the same cores...</summary>
    public const double TargetRatio = 0.9;

    /// <summary>... on every workload that takes at least this long in-process on those cores.</summary>
    public const double RatioMinSeconds = 0.5;

    /// <summary>Speedup on N cores over one in-process thread at least this times N (1.8 on 2 cores)...</summary>
    public const double TargetEfficiency = 0.9;

    /// <summary>... on every workload that takes at least this long on one in-process thread.</summary>
    public const double SpeedupMinSeconds = 1;

    // Run once on every cluster before measuring, so that the silos' kernels and call paths are compiled (a warm cluster).
    private static readonly string[][] WarmUps =
    [
        ["primes", "count", "--method", "trial", "--to", "1000000"],
        ["primes", "count", "--to", "100000000"],
        ["primes", "map", "--method", "trial", "--upto", "100000"],
        ["sqrt-sum", "--n", "100000000"],
    ];

    public static async Task<int> RunAsync(RepoLayout layout, CommandScaleOptions options)
    {
        var total = Stopwatch.StartNew();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var cores = Environment.ProcessorCount;
        await MachineReport.PrintAsync(layout);
        Console.WriteLine("## Scaling on the command's path: `grainpool` in-process and on silo processes");
        Console.WriteLine();
        var cli = await TutorialComparison.PrepareCliAsync(layout, new SideBySideOptions(SideBySideOptions.DefaultMax, options.Runs, options.NoBuild, options.CliPath, "python3"), dotnet);
        if (cli is null)
        {
            return 1;
        }

        var workloads = options.Workloads.Select(key => CommandWorkloads.Create(key, layout)).ToList();
        Console.WriteLine($"N = Environment.ProcessorCount = {cores}; {options.Runs} measured run(s) per workload and configuration, " +
            "interleaved (rotated each round), best tabled; each run is a whole `dotnet GrainPool.Cli.dll <mode> <command> --json` process.");
        Console.WriteLine("job s = the command's own elapsedMs (first chunk sent to last result in, cluster: after connecting); " +
            "wall s = the whole process, start to exit.");
        Console.WriteLine();

        var configurations = new List<CommandConfiguration> { CommandConfiguration.InProcess(1) };
        if (cores > 1)
        {
            configurations.Add(CommandConfiguration.InProcess(cores));
        }

        var failed = false;
        var clusters = new List<LocalSiloCluster>();
        try
        {
            foreach (var silos in cores > 1 ? new[] { 1, cores } : [1])
            {
                var started = Stopwatch.StartNew();
                var cluster = await LocalSiloCluster.StartAsync(new LocalSiloClusterOptions
                {
                    SiloCount = silos,
                    PinToCpus = true,
                    SiloAssemblyPath = Path.Combine(Path.GetDirectoryName(cli)!, "GrainPool.Silo.dll"),
                    AdditionalArguments = ["--dashboard", GrainPoolSiloOptions.DashboardOff],
                });
                clusters.Add(cluster);
                var configuration = CommandConfiguration.Cluster(cluster);
                Console.WriteLine($"- {configuration.Name}: {string.Join("; ", cluster.Silos.Select(s => s.ToString()))} (started in {started.Elapsed.TotalSeconds:F1} s)");
                foreach (var warmUp in WarmUps)
                {
                    var run = await RunAsync(dotnet, cli, configuration, warmUp, layout.Root);
                    if (!run.Succeeded)
                    {
                        Console.WriteLine($"  warm-up `{string.Join(' ', warmUp)}` FAILED: {run.FailureTail()}");
                        failed = true;
                    }
                }

                configurations.Add(configuration);
            }

            Console.WriteLine();
            var rows = new List<WorkloadRow>();
            foreach (var workload in workloads)
            {
                var runs = configurations.ToDictionary(c => c, _ => new List<CommandRun>());
                for (var round = 0; round < options.Runs; round++)
                {
                    foreach (var configuration in configurations.Skip(round % configurations.Count).Concat(configurations.Take(round % configurations.Count)))
                    {
                        var run = await MeasureAsync(dotnet, cli, configuration, workload, layout.Root);
                        runs[configuration].Add(run);
                        Console.Error.WriteLine($"  {workload.Key} / {configuration.Name} run {round + 1}/{options.Runs}: job {Fixed(run.JobSeconds)} s, wall {Fixed(run.WallSeconds)} s, {run.Chunks} chunks, {run.Problem ?? "ok"}");
                    }
                }

                var row = new WorkloadRow(workload, configurations.ToDictionary(c => c, c => Best(runs[c])));
                failed |= row.Best.Values.Any(r => r.Problem is not null);
                rows.Add(row);
            }

            PrintTable(rows, configurations, cores);
            Console.WriteLine("Results checked against:");
            foreach (var workload in workloads)
            {
                Console.WriteLine($"- {workload.Key} (`grainpool {string.Join(' ', workload.Arguments)}`): {workload.Reference}");
            }
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.DisposeAsync();
            }
        }

        Console.WriteLine();
        Console.WriteLine($"load average at the end (1, 5, 15 min): {MachineReport.LoadAverage()}; whole benchmark {total.Elapsed.TotalSeconds:F0} s.");
        if (failed)
        {
            Console.WriteLine("SOME RESULTS ARE WRONG OR MISSING: see the result columns above.");
        }

        return failed ? 1 : 0;
    }

    private static Task<ProcessRun> RunAsync(string dotnet, string cli, CommandConfiguration configuration, IEnumerable<string> arguments, string root) =>
        ProcessRunner.RunAsync(dotnet, [cli, .. configuration.ModeArguments, .. arguments, "--json"], root);

    private static async Task<CommandRun> MeasureAsync(string dotnet, string cli, CommandConfiguration configuration, CommandWorkload workload, string root)
    {
        var run = await RunAsync(dotnet, cli, configuration, workload.Arguments, root);
        if (!run.Succeeded)
        {
            return new CommandRun(double.NaN, run.Wall.TotalSeconds, 0, $"exit {run.ExitCode}: {run.FailureTail()}");
        }

        try
        {
            using var json = JsonDocument.Parse(run.StdOut);
            var output = json.RootElement;
            return new CommandRun(output.GetProperty("elapsedMs").GetDouble() / 1000, run.Wall.TotalSeconds,
                output.GetProperty("chunks").GetInt64(), workload.Check(output));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new CommandRun(double.NaN, run.Wall.TotalSeconds, 0, $"unreadable output: {ex.Message}");
        }
    }

    private static CommandRun Best(IReadOnlyList<CommandRun> runs)
    {
        var problem = runs.Select(r => r.Problem).FirstOrDefault(p => p is not null);
        var good = runs.Where(r => r.Problem is null).ToList();
        return good.Count == 0 ? runs[0] : good.MinBy(r => r.JobSeconds)! with { Problem = problem };
    }

    private static void PrintTable(IReadOnlyList<WorkloadRow> rows, IReadOnlyList<CommandConfiguration> configurations, int cores)
    {
        var inProcessOne = configurations[0];
        var inProcessN = configurations.FirstOrDefault(c => c.IsInProcess && c.Cores == cores) ?? inProcessOne;
        var clusterConfigurations = configurations.Where(c => !c.IsInProcess).ToList();

        var headers = new List<string> { "workload" };
        headers.AddRange(configurations.Select(c => c.Short + " job s (wall s)"));
        headers.AddRange(clusterConfigurations.Select(c => c.Short + " / in-process"));
        headers.AddRange(clusterConfigurations.Select(c => c.Short + " speedup"));
        headers.Add("chunks (cluster)");
        headers.Add("result");
        var table = new TextTable([.. headers]);
        var verdicts = new List<string>();
        foreach (var row in rows)
        {
            var one = row.Best[inProcessOne].JobSeconds;
            var cells = new List<string> { row.Workload.Key };
            cells.AddRange(configurations.Select(c => $"{Fixed(row.Best[c].JobSeconds)} ({Fixed(row.Best[c].WallSeconds)})"));
            foreach (var c in clusterConfigurations)
            {
                var reference = row.Best[c.Cores == cores ? inProcessN : inProcessOne].JobSeconds;
                var ratio = reference / row.Best[c].JobSeconds;
                var gated = reference >= RatioMinSeconds;
                cells.Add(Ratio(ratio) + (gated ? Mark(ratio >= TargetRatio) : " (short)"));
                if (gated && !(ratio >= TargetRatio))
                {
                    verdicts.Add($"{row.Workload.Key}: {c.Name} at {Ratio(ratio)} of in-process (target {TargetRatio})");
                }
            }

            foreach (var c in clusterConfigurations)
            {
                var speedup = one / row.Best[c].JobSeconds;
                var gated = one >= SpeedupMinSeconds && c.Cores > 1;
                cells.Add(Ratio(speedup) + "x" + (gated ? Mark(speedup >= TargetEfficiency * c.Cores) : ""));
                if (gated && !(speedup >= TargetEfficiency * c.Cores))
                {
                    verdicts.Add($"{row.Workload.Key}: {c.Name} speedup {Ratio(speedup)}x over 1 thread (target {TargetEfficiency * c.Cores:0.0#}x)");
                }
            }

            cells.Add(string.Join(" / ", clusterConfigurations.Select(c => row.Best[c].Chunks.ToString(CultureInfo.InvariantCulture))));
            var problems = row.Best.Where(p => p.Value.Problem is not null).Select(p => $"{p.Key.Name}: {p.Value.Problem}").ToList();
            cells.Add(problems.Count == 0 ? "ok" : "WRONG: " + string.Join("; ", problems));
            table.Add([.. cells]);
        }

        table.Print(Console.Out);
        Console.WriteLine();
        Console.WriteLine("Columns: " + string.Join("; ", configurations.Select(c => $"{c.Short} = {c.Name}")) +
            "; / in-process = throughput against in-process threads on the same number of cores; speedup = against 1 in-process thread.");
        Console.WriteLine($"Targets: cluster >= {TargetRatio} of in-process on the same cores where in-process takes >= {RatioMinSeconds} s " +
            $"(shorter ones marked short); speedup over 1 in-process thread >= {TargetEfficiency} x cores where 1 thread takes >= {SpeedupMinSeconds} s.");
        Console.WriteLine(verdicts.Count == 0 ? "Every target met." : "MISSED: " + string.Join("; ", verdicts) + ".");
        Console.WriteLine();
    }

    private static string Mark(bool met) => met ? " (met)" : " (MISSED)";

    private static string Fixed(double value) =>
        double.IsFinite(value) ? value.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    private static string Ratio(double value) =>
        double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    private sealed record WorkloadRow(CommandWorkload Workload, IReadOnlyDictionary<CommandConfiguration, CommandRun> Best);
}

/// <summary>One run of a workload: the command's job seconds, the process's wall seconds, chunks, and what was wrong (null: nothing).</summary>
internal sealed record CommandRun(double JobSeconds, double WallSeconds, long Chunks, string? Problem);

/// <summary>Where a command runs: in-process threads (0 silos), or a running cluster of silo processes joined with <c>--cluster</c>.</summary>
internal sealed record CommandConfiguration(string Name, int Cores, int Silos, IReadOnlyList<string> ModeArguments)
{
    public bool IsInProcess => Silos == 0;

    /// <summary>The column name: <c>in-process 2t</c>, <c>cluster 2x1</c> (silos x cores per silo).</summary>
    public string Short => IsInProcess
        ? string.Create(CultureInfo.InvariantCulture, $"in-process {Cores}t")
        : string.Create(CultureInfo.InvariantCulture, $"cluster {Silos}x{Cores / Silos}");

    public static CommandConfiguration InProcess(int threads) => new(
        $"in-process {threads} thread{(threads == 1 ? "" : "s")}", threads, 0,
        ["--in-process", "--threads", threads.ToString(CultureInfo.InvariantCulture)]);

    public static CommandConfiguration Cluster(LocalSiloCluster cluster) => new(
        $"cluster {cluster.Silos.Count} silo{(cluster.Silos.Count == 1 ? "" : "s")} x {cluster.Silos[0].Cores} core{(cluster.Silos[0].Cores == 1 ? "" : "s")}",
        cluster.TotalCores, cluster.Silos.Count,
        ["--cluster", string.Join(",", cluster.GatewayPorts.Select(p => $"127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}")), "--cluster-id", cluster.ClusterId]);
}
