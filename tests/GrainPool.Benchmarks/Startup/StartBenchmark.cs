using System.Diagnostics;
using System.Globalization;
using GrainPool.Benchmarks.SideBySide;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;

namespace GrainPool.Benchmarks.Startup;

/// <summary>
/// Start-up, side by side: (a) the whole <c>grainpool is-prime 7</c> command (a one-off job of microseconds, so its time
/// is all start-up and stop) in each place the work can run, as a process timed from start to exit; (b) starting 1, 2
/// and 4 silo processes with <see cref="LocalSiloCluster"/> (what <c>--silos N</c> runs) from the CLI's own output folder,
/// until every silo is ready and sees all the others, and stopping them. Rounds run every configuration once, interleaved.
/// </summary>
internal static class StartBenchmark
{
    public const int DefaultRuns = 5;

    private const string Expected = "7 is prime";

    private static readonly int[] SiloCounts = [1, 2, 4];

    public static async Task<int> RunAsync(RepoLayout layout, SideBySideOptions options)
    {
        var runs = options.Runs ?? DefaultRuns;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        Console.WriteLine("## Start-up: one-off command and silo processes");
        Console.WriteLine();
        Console.WriteLine($"{runs} interleaved rounds; load average now (1, 5, 15 min): {MachineReport.LoadAverage()}; {Environment.ProcessorCount} CPUs");
        Console.WriteLine();
        var cli = await TutorialComparison.PrepareCliAsync(layout, options, dotnet);
        if (cli is null)
        {
            return 1;
        }

        var failed = !await CompareCommandsAsync(cli, dotnet, runs, layout.Root);
        await CompareSiloStartsAsync(Path.Combine(Path.GetDirectoryName(cli)!, "GrainPool.Silo.dll"), runs);
        return failed ? 1 : 0;
    }

    private static async Task<bool> CompareCommandsAsync(string cli, string dotnet, int runs, string workingDirectory)
    {
        (string Name, string[] Arguments)[] modes =
        [
            ("--in-process", ["--in-process", "is-prime", "7"]),
            ("embedded (default)", ["is-prime", "7"]),
            .. SiloCounts.Select(n => ($"--silos {n}", new[] { "--silos", n.ToString(CultureInfo.InvariantCulture), "is-prime", "7" })),
        ];
        var walls = modes.Select(_ => new List<double>()).ToArray();
        var ok = true;
        for (var round = 1; round <= runs; round++)
        {
            for (var m = 0; m < modes.Length; m++)
            {
                var run = await ProcessRunner.RunAsync(dotnet, [cli, .. modes[m].Arguments], workingDirectory);
                var good = run.Succeeded && run.StdOut.Contains(Expected, StringComparison.Ordinal);
                ok &= good;
                walls[m].Add(run.Wall.TotalSeconds);
                Console.Error.WriteLine($"  {modes[m].Name} is-prime 7 round {round}/{runs}: {run.Wall.TotalSeconds:F3} s" + (good ? "" : $" FAILED: {run.FailureTail()}"));
            }
        }

        var inProcess = Median(walls[0]);
        var oneSilo = Median(walls[Array.FindIndex(modes, m => m.Name == "--silos 1")]);
        Console.WriteLine($"(a) whole command `dotnet {Path.GetFileName(cli)} <mode> is-prime 7`, wall time from process start to exit:");
        Console.WriteLine();
        var table = new TextTable("mode", "runs s", "best s", "median s", "median / --in-process", "median / --silos 1", "result");
        for (var m = 0; m < modes.Length; m++)
        {
            var median = Median(walls[m]);
            table.Add(modes[m].Name, Runs(walls[m]), Seconds(walls[m].Min()), Seconds(median),
                Ratio(median, inProcess), Ratio(median, oneSilo), ok ? "ok" : "WRONG OR FAILED (see stderr)");
        }

        table.Print(Console.Out);
        Console.WriteLine();
        return ok;
    }

    private static async Task CompareSiloStartsAsync(string siloAssembly, int runs)
    {
        var starts = SiloCounts.Select(_ => new List<double>()).ToArray();
        var stops = SiloCounts.Select(_ => new List<double>()).ToArray();
        for (var round = 1; round <= runs; round++)
        {
            for (var s = 0; s < SiloCounts.Length; s++)
            {
                var clock = Stopwatch.StartNew();
                var cluster = await LocalSiloCluster.StartAsync(new LocalSiloClusterOptions
                {
                    SiloCount = SiloCounts[s],
                    PinToCpus = true,
                    SiloAssemblyPath = siloAssembly,
                    AdditionalArguments = ["--dashboard", GrainPoolSiloOptions.DashboardOff],
                });
                starts[s].Add(clock.Elapsed.TotalSeconds);
                clock.Restart();
                await cluster.DisposeAsync();
                stops[s].Add(clock.Elapsed.TotalSeconds);
                Console.Error.WriteLine($"  {SiloCounts[s]} silo(s) round {round}/{runs}: start {starts[s][^1]:F3} s, stop {stops[s][^1]:F3} s");
            }
        }

        Console.WriteLine($"(b) silo processes as --silos N starts them (LocalSiloCluster, pinned, no dashboard, {Path.GetRelativePath(Environment.CurrentDirectory, siloAssembly)}): " +
            "from the call until every silo is ready and sees all the others, then stopping them:");
        Console.WriteLine();
        var table = new TextTable("silos", "start runs s", "start best s", "start median s", "median / 1 silo", "stop median s");
        var single = Median(starts[0]);
        for (var s = 0; s < SiloCounts.Length; s++)
        {
            var median = Median(starts[s]);
            table.Add(SiloCounts[s].ToString(CultureInfo.InvariantCulture), Runs(starts[s]), Seconds(starts[s].Min()), Seconds(median),
                Ratio(median, single), Seconds(Median(stops[s])));
        }

        table.Print(Console.Out);
        Console.WriteLine();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Runs(IEnumerable<double> values) => string.Join(' ', values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)));

    private static string Seconds(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);

    private static string Ratio(double value, double reference) => (value / reference).ToString("F2", CultureInfo.InvariantCulture) + "x";
}
