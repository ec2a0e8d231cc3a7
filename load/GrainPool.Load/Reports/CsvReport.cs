using System.Globalization;
using System.Text;

namespace GrainPool.Load;

/// <summary>
/// The statistics as CSV in a long (tidy) format, RFC 4180 quoting, numbers in the invariant culture at full precision:
/// one row per scenario, scope (the scenario's whole iterations or a step), outcome and measure.
/// </summary>
public static class CsvReport
{
    /// <summary>The columns of <see cref="Render"/>.</summary>
    public static readonly IReadOnlyList<string> Header =
    [
        "scenario", "scope", "step", "outcome", "measure",
        "count", "rps", "mean_ms", "p50_ms", "p75_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "size_bytes",
    ];

    /// <summary>The columns of <see cref="RenderIntervals"/>: the interval's own, then those of <see cref="Header"/> after the scenario.</summary>
    public static readonly IReadOnlyList<string> IntervalHeader =
        ["scenario", "interval", "start_s", "duration_s", "simulation", "late", .. Header.Skip(1)];

    /// <summary>
    /// Every scenario's statistics: for the scenario (scope <c>scenario</c>, step empty) and then each step (scope
    /// <c>step</c>), ok and fail, latency and service time: 4 x (1 + steps) rows per scenario.
    /// </summary>
    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        Line(csv, Header);
        foreach (var result in report.Results)
        {
            foreach (var row in Rows(result.Stats.Ok, result.Stats.Fail, result.Stats.Steps))
            {
                Line(csv, [result.Stats.Name, .. row]);
            }
        }
        return csv.ToString();
    }

    /// <summary>
    /// Every scenario's reporting intervals, in time order: per interval, the same 4 x (1 + steps) rows as
    /// <see cref="Render"/>, each led by the interval's number, start, duration, simulation and late iterations.
    /// </summary>
    public static string RenderIntervals(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        Line(csv, IntervalHeader);
        foreach (var interval in report.Results.SelectMany(r => r.Stats.Intervals))
        {
            IReadOnlyList<string> lead =
            [
                interval.Scenario, Number(interval.Index), Number(interval.Start.TotalSeconds), Number(interval.Duration.TotalSeconds),
                interval.Simulation, Number(interval.LateCount),
            ];
            foreach (var row in Rows(interval.Ok, interval.Fail, interval.Steps))
            {
                Line(csv, [.. lead, .. row]);
            }
        }
        return csv.ToString();
    }

    private static IEnumerable<IReadOnlyList<string>> Rows(OutcomeStats ok, OutcomeStats fail, IReadOnlyList<StepStats> steps)
    {
        IEnumerable<(string Scope, string Step, OutcomeStats Ok, OutcomeStats Fail)> scopes =
            [("scenario", "", ok, fail), .. steps.Select(s => ("step", s.Name, s.Ok, s.Fail))];
        foreach (var (scope, step, o, f) in scopes)
        {
            foreach (var (outcome, stats) in new[] { ("ok", o), ("fail", f) })
            {
                foreach (var (measure, l) in new[] { ("latency", stats.Latency), ("service", stats.ServiceTime) })
                {
                    yield return
                    [
                        scope, step, outcome, measure, Number(stats.Count), Number(stats.Rps),
                        Number(l.Mean), Number(l.P50), Number(l.P75), Number(l.P95), Number(l.P99), Number(l.P999), Number(l.Max),
                        Number(stats.SizeBytes),
                    ];
                }
            }
        }
    }

    private static void Line(StringBuilder csv, IEnumerable<string> fields)
    {
        csv.Append(string.Join(",", fields.Select(Field)));
        csv.Append("\r\n");
    }

    /// <summary>A field quoted (quotes doubled) when it holds a comma, a quote or a line break.</summary>
    private static string Field(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
