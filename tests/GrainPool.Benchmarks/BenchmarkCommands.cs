using GrainPool.Benchmarks.Cancellation;
using GrainPool.Benchmarks.CommandScaling;
using GrainPool.Benchmarks.Micro;
using GrainPool.Benchmarks.Scaling;
using GrainPool.Benchmarks.SideBySide;
using GrainPool.Benchmarks.Startup;

namespace GrainPool.Benchmarks;

/// <summary>The subcommands of the benchmark program: micro, primesieve, tutorial, all, scale, cli-scale, cancel, start.</summary>
internal static class BenchmarkCommands
{
    private const string Usage = """
        usage: dotnet run -c Release --project tests/GrainPool.Benchmarks -- <command> [options]

        commands:
          micro [BenchmarkDotNet args]   kernel micro-benchmarks (BenchmarkSwitcher; e.g. --filter '*Sieve*', --list flat)
          primesieve [--max 1e10] [--runs 3]
                                         pi(x) for x = 10^9 .. max, 1 thread and all cores, ours beside the primesieve program
          tutorial [--runs 5] [--no-build] [--cli PATH] [--python PATH]
                                         the tutorial's three Python programs beside the GrainPool CLI, whole processes
          all [options of both]          machine, then primesieve, then tutorial
          scale [--runs 3] [--jobs trial,sqrt,map] [--trial-seconds 5] [--trial-width N] [--sqrt-seconds 4] [--sqrt-width N]
                [--map-items 1e6] [--in-flight N] [--trial-chunk N] [--sqrt-chunk N] [--map-chunk N] [--embedded]
                [--only in-process-1,in-process-n,cluster-1x1,cluster-1xn,cluster-nx1,embedded]
                                         the same jobs in-process (1 thread, all cores) and on silo processes (1 silo x 1 core,
                                         1 silo x all cores, 1 silo per core), speedups and cluster/in-process ratios
          cli-scale [--runs 1] [--workloads trial-1e7,trial-3e7,trial-1e8,map-1e6,map-1e7,sieve-1e10,sieve-1e11,sqrt-1e9,sqrt-1e10]
                    [--no-build] [--cli PATH]
                                         the path users run: whole `grainpool ... --json` commands in-process (1 thread, all
                                         cores) and with --cluster on warm pinned silo processes (1 silo x all cores, 1 silo
                                         per core); one table of job and wall times, ratios and speedups against the targets
          cancel [--silos 2] [--runs 10] [--jobs range,map,unordered] [--poll-ms 10]
                                         cancellation latency on silo processes: from the cancel to the caller's
                                         OperationCanceledException and to every silo reporting no chunk running
          start [--runs 5] [--no-build] [--cli PATH]
                                         start-up: whole `grainpool is-prime 7` in-process, embedded and on 1, 2, 4 silo
                                         processes; starting and stopping 1, 2, 4 silo processes; medians and ratios
          machine                        the machine description only
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var rest = args[1..];
        try
        {
            switch (args[0])
            {
                case "micro":
                    return MicroSuite.Run(rest);
                case "noop":
                    // A do-nothing run: timing it as a process measures the start-up cost of a framework-dependent .NET app.
                    return 0;
                case "machine":
                    await MachineReport.PrintAsync(RepoLayout.Locate());
                    return 0;
                case "primesieve":
                    return await PrimesieveComparison.RunAsync(RepoLayout.Locate(), SideBySideOptions.Parse(rest));
                case "tutorial":
                    return await TutorialComparison.RunAsync(RepoLayout.Locate(), SideBySideOptions.Parse(rest));
                case "scale":
                    return await ScaleComparison.RunAsync(RepoLayout.Locate(), ScaleOptions.Parse(rest));
                case "cli-scale":
                    return await CommandScaleBenchmark.RunAsync(RepoLayout.Locate(), CommandScaleOptions.Parse(rest));
                case "cancel":
                    return await CancelBenchmark.RunAsync(RepoLayout.Locate(), CancelOptions.Parse(rest));
                case "start":
                    return await StartBenchmark.RunAsync(RepoLayout.Locate(), SideBySideOptions.Parse(rest));
                case "all":
                    {
                        var layout = RepoLayout.Locate();
                        var options = SideBySideOptions.Parse(rest);
                        await MachineReport.PrintAsync(layout);
                        var sieve = await PrimesieveComparison.RunAsync(layout, options);
                        var tutorial = await TutorialComparison.RunAsync(layout, options);
                        return Math.Max(sieve, tutorial);
                    }

                default:
                    Console.Error.WriteLine($"unknown command '{args[0]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }
}
