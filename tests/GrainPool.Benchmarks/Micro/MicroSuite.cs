using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using GrainPool.Benchmarks.SideBySide;

namespace GrainPool.Benchmarks.Micro;

/// <summary>The kernel micro-benchmarks: BenchmarkDotNet over every benchmark class of this assembly.</summary>
internal static class MicroSuite
{
    /// <summary>
    /// A short job so that the whole suite runs in a few minutes on a small machine: one launch, 3 warm-up and 5
    /// measured iterations. A --job given on the command line replaces it.
    /// </summary>
    public static Job ShortJob { get; } = Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(5).WithId("Short");

    public static int Run(string[] args)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance).AddColumn(StatisticColumn.OperationsPerSecond);
        if (!args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)))
        {
            config.AddJob(ShortJob.AsDefault());
        }

        // Reports go beside this project (git-ignored) rather than into whatever directory it was started from.
        if (!args.Contains("--artifacts") && TryLocateRoot() is { } root)
        {
            config.WithArtifactsPath(Path.Combine(root, "tests", "GrainPool.Benchmarks", "BenchmarkDotNet.Artifacts"));
        }

        // No arguments means the whole suite, not the interactive menu.
        string[] effective = args.Length == 0 ? ["--filter", "*"] : args;
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroSuite).Assembly).Run(effective, config).ToList();
        PrintOverview(summaries);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }

    private static string? TryLocateRoot()
    {
        try
        {
            return RepoLayout.Locate().Root;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // BenchmarkDotNet prints one table per class as it goes; this repeats the figures in one table, each in its own unit.
    private static void PrintOverview(IReadOnlyList<Summary> summaries)
    {
        var table = new TextTable("benchmark", "params", "mean per op", "stddev", "ops per second");
        var rows = 0;
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            var stats = report.ResultStatistics;
            var parameters = report.BenchmarkCase.Parameters.PrintInfo;
            table.Add(
                $"{report.BenchmarkCase.Descriptor.Type.Name}.{report.BenchmarkCase.Descriptor.WorkloadMethod.Name}",
                string.IsNullOrEmpty(parameters) ? "" : parameters,
                stats is null ? "failed" : Time(stats.Mean),
                stats is null ? "" : Time(stats.StandardDeviation),
                stats is null ? "" : (1e9 / stats.Mean).ToString("N0", CultureInfo.InvariantCulture));
            rows++;
        }

        if (rows > 0)
        {
            Console.WriteLine();
            Console.WriteLine("## Micro-benchmarks (one op = one number, one term, or one whole range: see the method name)");
            Console.WriteLine();
            table.Print(Console.Out);
        }
    }

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        >= 1e9 => (nanoseconds / 1e9).ToString("F3", CultureInfo.InvariantCulture) + " s",
        >= 1e6 => (nanoseconds / 1e6).ToString("F3", CultureInfo.InvariantCulture) + " ms",
        >= 1e3 => (nanoseconds / 1e3).ToString("F3", CultureInfo.InvariantCulture) + " us",
        _ => nanoseconds.ToString("F3", CultureInfo.InvariantCulture) + " ns",
    };
}
