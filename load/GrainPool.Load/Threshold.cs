using System.Globalization;

namespace GrainPool.Load;

/// <summary>A named check on a scenario's statistics, made at the end of the run.</summary>
/// <param name="Name">How the reports name it, e.g. <c>p99 &lt; 200 ms</c>.</param>
/// <param name="Check">True when the statistics pass.</param>
public sealed record Threshold(string Name, Func<ScenarioStats, bool> Check)
{
    /// <summary>The 99th percentile of the successful iterations' latency (from the intended start) is below <paramref name="max"/>.</summary>
    public static Threshold LatencyP99Below(TimeSpan max) =>
        new($"p99 < {Format(max.TotalMilliseconds)} ms", s => s.Ok.Latency.P99 < max.TotalMilliseconds);

    /// <summary>Failed iterations are below <paramref name="percent"/> percent of all.</summary>
    public static Threshold FailPercentBelow(double percent) =>
        new($"fail% < {Format(percent)}", s => s.FailPercent < percent);

    /// <summary>Successful iterations per second over the whole run are at least <paramref name="rps"/>.</summary>
    public static Threshold RpsAtLeast(double rps) => new($"rps >= {Format(rps)}", s => s.Ok.Rps >= rps);

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>A threshold and whether it passed.</summary>
public sealed record ThresholdResult(string Name, bool Passed);
