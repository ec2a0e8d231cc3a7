using System.Diagnostics;
using System.Globalization;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Benchmarks.SideBySide;

/// <summary>
/// pi(x) by our sieve beside the primesieve program, same x and thread count, runs interleaved so both see the same
/// machine state. Ours is timed in-process (no start-up); primesieve's time is what it reports with --time (also no
/// start-up), and the wall time of its whole process is shown beside it. The ratio uses the two in-process times.
/// </summary>
internal static class PrimesieveComparison
{
    public const int DefaultRuns = 3;

    /// <summary>The goal: our time at most this many times primesieve's.</summary>
    public const double TargetRatio = 3.0;

    private const ulong FirstX = 1_000_000_000;

    public static async Task<int> RunAsync(RepoLayout layout, SideBySideOptions options)
    {
        var runs = options.Runs ?? DefaultRuns;
        var reference = LoadReferenceCounts(layout.PrimeCountsFile);
        var xs = Sizes(options.Max);
        int[] threadCounts = Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];
        var primesieveVersion = await ProcessRunner.FirstLineAsync("primesieve", "--version");

        Console.WriteLine("## pi(x): GrainPool sieve vs primesieve");
        Console.WriteLine();
        Console.WriteLine($"best of {runs}; ours = {nameof(PrimeCounting)}.{nameof(PrimeCounting.CountBySieve)} on 1 thread, " +
            $"{nameof(InProcessRunner)}(threads).{nameof(InProcessRunner.RunRange)}(new {nameof(PrimeCountKernel)}(Sieve), 0, x) on more, " +
            "timed in this process; primesieve = `primesieve x -t<threads> -q --time`, its own reported seconds " +
            "(3 decimals, excludes process start-up) and, beside it, the wall time of the whole process. " +
            "ratio = ours / primesieve's own time.");
        Console.WriteLine(primesieveVersion is null
            ? "primesieve was not found on PATH: only our figures are shown."
            : $"reference: {primesieveVersion}; pi(x) from {layout.PrimeCountsFile}");
        Console.WriteLine($"load average now (1, 5, 15 min): {MachineReport.LoadAverage()}");
        Console.WriteLine();

        // JIT and base primes: the first call of a process pays for both; warm up on a small range so that run 1 is fair.
        PrimeCounting.CountBySieve(0, 10_000_000);
        new InProcessRunner(threadCounts[^1]).RunRange(new PrimeCountKernel(PrimalityMethod.Sieve), 0, 100_000_000);

        var table = new TextTable("x", "threads", "pi(x)", "counts", "ours s", "primesieve s", "primesieve wall s", "ours/primesieve", $"<= {TargetRatio:0}x");
        var failed = false;
        foreach (var x in xs)
        {
            foreach (var threads in threadCounts)
            {
                var ours = new List<(double Seconds, ulong Count)>();
                var theirs = new List<PrimesieveRun>();
                for (var run = 1; run <= runs; run++)
                {
                    ours.Add(TimeOurs(x, threads));
                    if (primesieveVersion is not null)
                    {
                        theirs.Add(await RunPrimesieveAsync(x, threads));
                    }

                    Console.Error.WriteLine($"  x={XText(x)} threads={threads} run {run}/{runs}: ours {ours[^1].Seconds:F3} s" +
                        (theirs.Count > 0 ? $", primesieve {theirs[^1].OwnSeconds?.ToString("F3", CultureInfo.InvariantCulture) ?? "?"} s (wall {theirs[^1].WallSeconds:F3} s)" : ""));
                }

                var expected = reference.TryGetValue(x, out var pi) ? pi : (ulong?)null;
                var counts = ours.Select(o => (ulong?)o.Count).Concat(theirs.Select(t => t.Count)).Distinct().ToList();
                var agree = counts.Count == 1 && counts[0] is not null && (expected is null || counts[0] == expected);
                failed |= !agree;
                var countText = agree
                    ? (expected is null ? "agree (no reference)" : "all ok")
                    : "MISMATCH: " + string.Join(", ", counts.Select(c => c?.ToString(CultureInfo.InvariantCulture) ?? "none"));

                var oursBest = ours.Min(o => o.Seconds);
                var theirsBest = theirs.Select(t => t.OwnSeconds).Where(s => s is not null).Select(s => s!.Value).DefaultIfEmpty(double.NaN).Min();
                var wallBest = theirs.Count > 0 ? theirs.Min(t => t.WallSeconds) : double.NaN;
                var ratio = oursBest / theirsBest;
                table.Add(
                    XText(x),
                    threads.ToString(CultureInfo.InvariantCulture),
                    expected?.ToString(CultureInfo.InvariantCulture) ?? "?",
                    countText,
                    Seconds(oursBest),
                    Seconds(theirsBest),
                    Seconds(wallBest),
                    double.IsFinite(ratio) ? ratio.ToString("F2", CultureInfo.InvariantCulture) + "x" : "n/a",
                    double.IsFinite(ratio) ? (ratio <= TargetRatio ? "yes" : "NO") : "n/a");
            }
        }

        table.Print(Console.Out);
        Console.WriteLine();
        if (failed)
        {
            Console.WriteLine("COUNTS DISAGREE: see the counts column.");
        }

        return failed ? 1 : 0;
    }

    private static (double Seconds, ulong Count) TimeOurs(ulong x, int threads)
    {
        var stopwatch = Stopwatch.StartNew();
        var count = threads == 1
            ? PrimeCounting.CountBySieve(0, x)
            : new InProcessRunner(threads).RunRange(new PrimeCountKernel(PrimalityMethod.Sieve), 0, x);
        stopwatch.Stop();
        return (stopwatch.Elapsed.TotalSeconds, count);
    }

    private sealed record PrimesieveRun(double? OwnSeconds, double WallSeconds, ulong? Count);

    private static async Task<PrimesieveRun> RunPrimesieveAsync(ulong x, int threads)
    {
        var run = await ProcessRunner.RunAsync("primesieve",
            [x.ToString(CultureInfo.InvariantCulture), $"-t{threads}", "-q", "--time"]);
        if (!run.Succeeded)
        {
            Console.Error.WriteLine($"primesieve failed (exit {run.ExitCode}): {run.FailureTail()}");
            return new PrimesieveRun(null, run.Wall.TotalSeconds, null);
        }

        // -q --time prints the count alone on a line and "Seconds: 0.064" on another (order varies by version).
        double? seconds = null;
        ulong? count = null;
        foreach (var line in run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("Seconds:", StringComparison.Ordinal) &&
                double.TryParse(line["Seconds:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var s))
            {
                seconds = s;
            }
            else if (ulong.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var c))
            {
                count = c;
            }
        }

        return new PrimesieveRun(seconds, run.Wall.TotalSeconds, count);
    }

    // 10^9, 10^10, ... up to max; max itself when it is not a power of ten or is below 10^9.
    private static List<ulong> Sizes(ulong max)
    {
        var sizes = new List<ulong>();
        for (var x = FirstX; x <= max; x = x <= ulong.MaxValue / 10 ? x * 10 : ulong.MaxValue)
        {
            sizes.Add(x);
            if (x == ulong.MaxValue)
            {
                break;
            }
        }

        if (sizes.Count == 0 || sizes[^1] != max)
        {
            sizes.Add(max);
        }

        return sizes;
    }

    /// <summary>pi(x) by x from the shared reference table (empty when it is not there).</summary>
    internal static Dictionary<ulong, ulong> LoadReferenceCounts(string? path)
    {
        var counts = new Dictionary<ulong, ulong>();
        if (path is null || !File.Exists(path))
        {
            return counts;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split('\t');
            if (!line.StartsWith('#') && fields.Length >= 2 &&
                ulong.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var x) &&
                ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pi))
            {
                counts[x] = pi;
            }
        }

        return counts;
    }

    private static string XText(ulong x)
    {
        var exponent = 0;
        var rest = x;
        while (rest % 10 == 0 && rest > 1)
        {
            rest /= 10;
            exponent++;
        }

        return rest == 1 ? $"10^{exponent}" : x.ToString("N0", CultureInfo.InvariantCulture);
    }

    private static string Seconds(double seconds) =>
        double.IsFinite(seconds) ? seconds.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
}
