namespace GrainPool.Load;

/// <summary>The charts every HTML report draws from a run's results, with the ids the page gives them.</summary>
internal static class ReportCharts
{
    /// <summary>One colour per scenario, so that a scenario's ok and failed lines match (the failed one dashed).</summary>
    private static readonly string[] ScenarioColors =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

    public const string RpsId = "rps-over-time";

    public static string LatencyId(int scenario) => $"latency-over-time-{scenario}";

    public static string DistributionId(int scenario) => $"latency-distribution-{scenario}";

    /// <summary>The suffix of the id of the JSON element that carries a chart's data.</summary>
    public const string DataSuffix = "-data";

    /// <summary>
    /// Ok and failed iterations per second in each reporting interval, per scenario, plotted at the interval's end
    /// (seconds from the start of the measured load); failures dashed.
    /// </summary>
    public static LineChart RpsOverTime(IReadOnlyList<LoadResult> results) =>
        new("Requests per second over time", "time (s)", "iterations per second",
        [
            .. results.SelectMany((r, i) => new[]
            {
                new ChartSeries($"{r.Stats.Name} ok", [.. r.Stats.Intervals.Select(v => new ChartPoint(End(v), v.Ok.Rps))])
                    { Color = ScenarioColors[i % ScenarioColors.Length] },
                new ChartSeries($"{r.Stats.Name} fail", [.. r.Stats.Intervals.Select(v => new ChartPoint(End(v), v.Fail.Rps))], Dashed: true)
                    { Color = ScenarioColors[i % ScenarioColors.Length] },
            }),
        ]);

    /// <summary>
    /// The ok iterations' latency p50, p95 and p99 in each reporting interval, at the interval's end; intervals in which
    /// no iteration ended ok have no latency and no point.
    /// </summary>
    public static LineChart LatencyOverTime(ScenarioStats stats)
    {
        var measured = stats.Intervals.Where(v => v.Ok.Count > 0).ToList();
        return new($"Latency over time: {stats.Name}", "time (s)", "latency (ms)",
        [
            new ChartSeries("p50", [.. measured.Select(v => new ChartPoint(End(v), v.Ok.Latency.P50))]),
            new ChartSeries("p95", [.. measured.Select(v => new ChartPoint(End(v), v.Ok.Latency.P95))]),
            new ChartSeries("p99", [.. measured.Select(v => new ChartPoint(End(v), v.Ok.Latency.P99))]),
        ]);
    }

    /// <summary>The ok iterations' latency and service time at each percentile of the whole run; service time dashed.</summary>
    public static LineChart Distribution(ScenarioStats stats) =>
        new($"Latency distribution: {stats.Name}", "percentile", "latency (ms)",
        [
            new ChartSeries("latency", [.. stats.Ok.Latency.Distribution.Select(p => new ChartPoint(p.Percentile, p.Milliseconds))]),
            new ChartSeries("service time", [.. stats.Ok.ServiceTime.Distribution.Select(p => new ChartPoint(p.Percentile, p.Milliseconds))], Dashed: true),
        ]);

    private static double End(IntervalStats interval) => (interval.Start + interval.Duration).TotalSeconds;
}
