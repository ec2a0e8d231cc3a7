using System.Globalization;

namespace GrainPool.Cli.Output;

/// <summary>How numbers and durations look in human output (invariant culture, whatever the machine's locale).</summary>
internal static class TextFormat
{
    /// <summary>With thousands separators, as the tutorial prints 100,000.</summary>
    public static string Grouped(UInt128 value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Plain digits.</summary>
    public static string Plain(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The shortest text that parses back to the same double.</summary>
    public static string RoundTrip(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Two decimals, as Python's <c>:.2f</c>.</summary>
    public static string TwoDecimals(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>A duration for people: milliseconds below a second, seconds above.</summary>
    public static string Duration(TimeSpan elapsed) => elapsed.TotalSeconds < 1
        ? elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms"
        : elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    /// <summary>
    /// The closing line of a run: <c>Took 1.23 s on 2 workers (in-process, sieve)</c>, or on a cluster
    /// <c>Took 1.23 s on 2 workers across 2 silos (silos, sieve)</c>.
    /// </summary>
    public static void WriteTiming(TextWriter text, RunSummary summary, string? detail = null)
    {
        var where = summary.Silos == 0 ? Count(summary.Workers, "worker") : $"{Count(summary.Workers, "worker")} across {Count(summary.Silos, "silo")}";
        var what = detail is null ? summary.Mode : $"{summary.Mode}, {detail}";
        text.WriteLine($"Took {Duration(summary.Elapsed)} on {where} ({what})");
    }

    /// <summary><c>1 worker</c>, <c>2 workers</c>.</summary>
    public static string Count(int count, string noun) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");
}
