using System.Globalization;

namespace GrainPool.Load;

/// <summary>
/// A named check on a scenario's statistics, made on the statistics so far at the end of each reporting interval
/// (<see cref="LoadRunOptions.ReportingInterval"/>) from <see cref="CheckStartsAfter"/> on, and on the whole run at the
/// end. A threshold that fails at any check has failed (<see cref="ThresholdResult.FailedAt"/> says when first).
/// </summary>
/// <param name="Name">How the reports name it, e.g. <c>p99 &lt; 200 ms</c>.</param>
/// <param name="Check">True when the statistics pass; a check that throws during the run counts as failed.</param>
public sealed record Threshold(string Name, Func<ScenarioStats, bool> Check)
{
    /// <summary>The checks during the run start at this time of the measured load (zero unless set); the end's check is always made.</summary>
    public TimeSpan CheckStartsAfter { get; init; }

    /// <summary>Whether a failure during the run stops it (<see cref="AbortWhenFailed"/>).</summary>
    public bool AbortsRunWhenFailed { get; init; }

    /// <summary>Skips the checks during the run before <paramref name="delay"/> of measured load (ramp-ups, cold caches), as NBomber's <c>startCheckAfter</c>.</summary>
    public Threshold StartCheckAfter(TimeSpan delay) =>
        this with { CheckStartsAfter = delay >= TimeSpan.Zero ? delay : throw new ArgumentOutOfRangeException(nameof(delay)) };

    /// <summary>
    /// Stops the run when this threshold fails during it, as NBomber's <c>abortWhenFailed</c>: no iteration starts
    /// after that (of any scenario of the run), those running finish, clean runs, and the result says it was aborted.
    /// </summary>
    public Threshold AbortWhenFailed() => this with { AbortsRunWhenFailed = true };

    /// <summary>The 99th percentile of the successful iterations' latency (from the intended start) is below <paramref name="max"/>.</summary>
    public static Threshold LatencyP99Below(TimeSpan max) =>
        new($"p99 < {Format(max.TotalMilliseconds)} ms", s => s.Ok.Count > 0 ? s.Ok.Latency.P99 < max.TotalMilliseconds : s.Fail.Count == 0);

    /// <summary>Failed iterations are below <paramref name="percent"/> percent of all.</summary>
    public static Threshold FailPercentBelow(double percent) =>
        new($"fail% < {Format(percent)}", s => s.FailPercent < percent);

    /// <summary>Successful iterations per second over the whole run are at least <paramref name="rps"/>.</summary>
    public static Threshold RpsAtLeast(double rps) => new($"rps >= {Format(rps)}", s => s.Ok.Rps >= rps);

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>A threshold and whether it passed every check.</summary>
public sealed record ThresholdResult(string Name, bool Passed)
{
    /// <summary>When it first failed, from the start of the measured load (an interval's end, or the run's end); null when it passed.</summary>
    public TimeSpan? FailedAt { get; init; }
}
