namespace GrainPool.Load.Tests;

/// <summary>
/// A run's results built by hand (no runner), so that every number a report shows is known: two scenarios, one with
/// two steps and three reporting intervals (the middle one with no successful iteration), one with one step and two.
/// Names carry the characters HTML, CSV and Markdown must escape.
/// </summary>
internal static class ReportSamples
{
    public const string AlphaName = "alpha <b> & \"q\", 'x'";
    public const string BetaName = "beta";
    public const string PipeStep = "second|half";
    public const string SectionText = "<script>alert('x')</script> & more";
    public const string Configuration = "{\n  \"scenario\": \"alpha\",\n  \"note\": \"</pre> & <b>\",\n  \"fence\": \"```\"\n}";

    /// <summary>Latency statistics whose every field is <paramref name="ms"/> plus a fixed offset, with a three-point distribution.</summary>
    public static LatencyStats Latency(double ms) => new(ms + 0.5, ms, ms + 1, ms + 2, ms + 3, ms + 4, ms + 5)
    {
        Distribution = [new(0, ms - 0.25), new(50, ms), new(100, ms + 5)],
    };

    public static OutcomeStats Outcome(long count, double rps, double ms) =>
        new(count, rps, Latency(ms), Latency(ms / 2), count * 10);

    public static OutcomeStats None => new(0, 0, new(0, 0, 0, 0, 0, 0, 0), new(0, 0, 0, 0, 0, 0, 0), 0);

    public static IntervalStats Interval(string scenario, int index, double startS, double durationS, OutcomeStats ok, OutcomeStats fail, params string[] steps) =>
        new(scenario, index, TimeSpan.FromSeconds(startS), TimeSpan.FromSeconds(durationS), "Inject(rate: 10, interval: 00:00:01, during: 00:00:12.5)",
            ok, fail, [.. steps.Select(s => new StepStats(s, ok, fail))], LateCount: index);

    public static LoadResult Alpha()
    {
        var stats = new ScenarioStats(AlphaName, TimeSpan.FromSeconds(12.5), Outcome(100, 8, 20), Outcome(25, 2, 40),
            [new StepStats("first", Outcome(125, 10, 8), None), new StepStats(PipeStep, Outcome(100, 8, 12), Outcome(25, 2, 30))],
            [new SimulationStats("Inject(rate: 10, interval: 00:00:01, during: 00:00:12.5)", TimeSpan.FromSeconds(12.5), 125, 10, 125, 10, 3)])
        {
            Intervals =
            [
                Interval(AlphaName, 0, 0, 5, Outcome(40, 8, 10), Outcome(10, 2, 50), "first", PipeStep),
                Interval(AlphaName, 1, 5, 5, None, Outcome(50, 10, 60), "first", PipeStep),
                Interval(AlphaName, 2, 10, 2.5, Outcome(25, 10, 30), None, "first", PipeStep),
            ],
        };
        return new LoadResult(stats, [new ThresholdResult("p99 < 50 ms", true), new ThresholdResult("fail% < 5 & \"low\"", false)]);
    }

    public static LoadResult Beta()
    {
        var stats = new ScenarioStats(BetaName, TimeSpan.FromSeconds(10), Outcome(300, 30, 4), None,
            [new StepStats("only", Outcome(300, 30, 4), None)],
            [new SimulationStats("KeepConstant(copies: 2, during: 00:00:10)", TimeSpan.FromSeconds(10), null, null, 300, 30, 0)])
        {
            Intervals =
            [
                Interval(BetaName, 0, 0, 5, Outcome(140, 28, 3), None, "only"),
                Interval(BetaName, 1, 5, 5, Outcome(160, 32, 5), None, "only"),
            ],
        };
        return new LoadResult(stats, []);
    }

    public static LoadReport Report() =>
        new("Load run <sample> & \"test\"", [Alpha(), Beta()], new DateTimeOffset(2026, 12, 3, 8, 30, 0, TimeSpan.Zero))
        {
            Configuration = Configuration,
            Machine = new ReportMachine(16, "Linux <test>", ".NET 10"),
            Sections =
            [
                new ReportSection("Scaling")
                {
                    Text = SectionText,
                    Table = new ReportTable(["silos", "rps"], [["1", "100"], ["2", "190"], ["4", "350"]]),
                    Chart = new LineChart("Throughput by silos", "silos", "rps",
                        [new ChartSeries("measured", [new(1, 100), new(2, 190), new(4, 350)]), new ChartSeries("ideal", [new(1, 100), new(2, 200), new(4, 400)], Dashed: true)]),
                },
            ],
        };
}
