using System.Globalization;

namespace GrainPool.Load;

/// <summary>The run's tables, once, for every report format to lay out.</summary>
internal static class ReportTables
{
    public static readonly string[] LatencyHeader =
        ["scope", "outcome", "measure", "count", "rps", "mean ms", "p50 ms", "p75 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"];

    /// <summary>How many of <see cref="LatencyHeader"/>'s columns hold text (left-aligned); the rest hold numbers.</summary>
    public const int LatencyTextColumns = 3;

    public static readonly string[] SimulationHeader =
        ["simulation", "duration s", "planned count", "achieved count", "planned rps", "achieved rps", "late"];

    public const int SimulationTextColumns = 1;

    public static readonly string[] IntervalHeader =
        ["scenario", "simulation", "interval", "start s", "duration s", "ok", "ok rps", "fail", "fail rps", "p50 ms", "p95 ms", "p99 ms", "late"];

    public const int IntervalTextColumns = 2;

    public static IEnumerable<string[]> LatencyRows(ScenarioStats stats) =>
        Scopes(stats).SelectMany(scope => ScopeRows(scope.Scope, scope.Ok, scope.Fail));

    /// <summary>The scenario's whole iterations, then each step: (scope, ok, fail).</summary>
    public static IEnumerable<(string Scope, OutcomeStats Ok, OutcomeStats Fail)> Scopes(ScenarioStats stats) =>
        [($"scenario {stats.Name}", stats.Ok, stats.Fail), .. stats.Steps.Select(s => ($"step {s.Name}", s.Ok, s.Fail))];

    /// <summary>The four rows of one scope: ok and failed, each with latency and service time.</summary>
    public static IEnumerable<string[]> ScopeRows(string scope, OutcomeStats ok, OutcomeStats fail)
    {
        foreach (var (outcome, o) in new[] { ("ok", ok), ("fail", fail) })
        {
            yield return Row(scope, outcome, "latency", o, o.Latency);
            yield return Row(scope, outcome, "service", o, o.ServiceTime);
        }
    }

    public static IEnumerable<string[]> SimulationRows(ScenarioStats stats) =>
        stats.Simulations.Select(s => new[]
        {
            s.Simulation, Number(s.Duration.TotalSeconds), s.PlannedCount?.ToString(CultureInfo.InvariantCulture) ?? "-",
            Integer(s.AchievedCount), s.PlannedRps is { } p ? Number(p) : "-", Number(s.AchievedRps), Integer(s.LateCount),
        });

    /// <summary>One row per reporting interval: counts and rates of ok and failed iterations, the ok iterations' latency.</summary>
    public static IEnumerable<string[]> IntervalRows(ScenarioStats stats) =>
        stats.Intervals.Select(i => new[]
        {
            i.Scenario, i.Simulation, Integer(i.Index), Number(i.Start.TotalSeconds), Number(i.Duration.TotalSeconds),
            Integer(i.Ok.Count), Number(i.Ok.Rps), Integer(i.Fail.Count), Number(i.Fail.Rps),
            Number(i.Ok.Latency.P50), Number(i.Ok.Latency.P95), Number(i.Ok.Latency.P99), Integer(i.LateCount),
        });

    public static IEnumerable<string> ThresholdLines(LoadResult result) =>
        result.Thresholds.Select(t => $"{PassedWord(t.Passed)}: {t.Name}{FailedAtText(t)}")
            .Concat(result.Aborted ? [$"ABORTED: {result.AbortReason}"] : []);

    /// <summary>" (first failed at 3.5 s)" for a threshold that failed during or at the end of the run, else empty.</summary>
    public static string FailedAtText(ThresholdResult threshold) =>
        threshold.FailedAt is { } at ? string.Create(CultureInfo.InvariantCulture, $" (first failed at {at.TotalSeconds:0.###} s)") : "";

    public static string PassedWord(bool passed) => passed ? "passed" : "FAILED";

    /// <summary>The one-line summary of a scenario the text and Markdown reports open with.</summary>
    public static string Summary(ScenarioStats stats) => string.Create(CultureInfo.InvariantCulture,
        $"duration {stats.Duration.TotalSeconds:0.###} s, fail {stats.FailPercent:0.###} %, late iterations {stats.LateCount}");

    /// <summary>The machine in one line, e.g. <c>16 processors, Ubuntu 24.04, .NET 10.0.0</c>.</summary>
    public static string Machine(ReportMachine machine) =>
        string.Create(CultureInfo.InvariantCulture, $"{machine.ProcessorCount} processors, {machine.OperatingSystem}, {machine.Runtime}");

    public static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    public const string LatencyNote =
        "latency: from each iteration's intended start (coordinated omission corrected); service: from its real start";

    private static string[] Row(string scope, string outcome, string measure, OutcomeStats o, LatencyStats l) =>
    [
        scope, outcome, measure, Integer(o.Count), Number(o.Rps),
        Number(l.Mean), Number(l.P50), Number(l.P75), Number(l.P95), Number(l.P99), Number(l.P999), Number(l.Max),
    ];

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
