using System.Globalization;
using System.Text;

namespace GrainPool.Load;

/// <summary>The run's tables, once, for every report format to lay out.</summary>
internal static class ReportTables
{
    public static readonly string[] LatencyHeader =
        ["scope", "outcome", "measure", "count", "rps", "mean ms", "p50 ms", "p75 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"];

    public static readonly string[] SimulationHeader =
        ["simulation", "duration s", "planned count", "achieved count", "planned rps", "achieved rps", "late"];

    public static IEnumerable<string[]> LatencyRows(ScenarioStats stats)
    {
        IEnumerable<(string Scope, OutcomeStats Ok, OutcomeStats Fail)> scopes =
            [($"scenario {stats.Name}", stats.Ok, stats.Fail), .. stats.Steps.Select(s => ($"step {s.Name}", s.Ok, s.Fail))];
        foreach (var (scope, ok, fail) in scopes)
        {
            foreach (var (outcome, o) in new[] { ("ok", ok), ("fail", fail) })
            {
                yield return Row(scope, outcome, "latency", o, o.Latency);
                yield return Row(scope, outcome, "service", o, o.ServiceTime);
            }
        }
    }

    public static IEnumerable<string[]> SimulationRows(ScenarioStats stats) =>
        stats.Simulations.Select(s => new[]
        {
            s.Simulation, Number(s.Duration.TotalSeconds), s.PlannedCount?.ToString(CultureInfo.InvariantCulture) ?? "-",
            s.AchievedCount.ToString(CultureInfo.InvariantCulture), s.PlannedRps is { } p ? Number(p) : "-", Number(s.AchievedRps),
            s.LateCount.ToString(CultureInfo.InvariantCulture),
        });

    public static IEnumerable<string> ThresholdLines(LoadResult result) =>
        result.Thresholds.Select(t => $"{(t.Passed ? "passed" : "FAILED")}: {t.Name}");

    private static string[] Row(string scope, string outcome, string measure, OutcomeStats o, LatencyStats l) =>
    [
        scope, outcome, measure, o.Count.ToString(CultureInfo.InvariantCulture), Number(o.Rps),
        Number(l.Mean), Number(l.P50), Number(l.P75), Number(l.P95), Number(l.P99), Number(l.P999), Number(l.Max),
    ];

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>The console report: plain-text tables with aligned columns.</summary>
public static class TextReport
{
    /// <summary>The report of <paramref name="result"/> as text.</summary>
    public static string Render(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var stats = result.Stats;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"scenario: {stats.Name}, duration: {stats.Duration.TotalSeconds:0.###} s, fail: {stats.FailPercent:0.###} %, late iterations: {stats.LateCount}");
        text.AppendLine("latency: from each iteration's intended start (coordinated omission corrected); service: from its real start");
        text.AppendLine();
        Table(text, ReportTables.LatencyHeader, ReportTables.LatencyRows(stats));
        text.AppendLine();
        Table(text, ReportTables.SimulationHeader, ReportTables.SimulationRows(stats));
        if (result.Thresholds.Count > 0)
        {
            text.AppendLine();
            foreach (var line in ReportTables.ThresholdLines(result))
            {
                text.AppendLine(line);
            }
        }
        return text.ToString();
    }

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c < 3 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }
    }
}

/// <summary>The Markdown report: the same tables as <see cref="TextReport"/>, as Markdown tables.</summary>
public static class MarkdownReport
{
    /// <summary>The report of <paramref name="result"/> as Markdown.</summary>
    public static string Render(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var stats = result.Stats;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Load test: {stats.Name}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Duration {stats.Duration.TotalSeconds:0.###} s, fail {stats.FailPercent:0.###} %, late iterations {stats.LateCount}.");
        text.AppendLine();
        text.AppendLine("Latency counts from each iteration's intended start (coordinated omission corrected); service time from its real start.");
        text.AppendLine();
        text.AppendLine("## Latency");
        text.AppendLine();
        Table(text, ReportTables.LatencyHeader, ReportTables.LatencyRows(stats));
        text.AppendLine();
        text.AppendLine("## Load simulations");
        text.AppendLine();
        Table(text, ReportTables.SimulationHeader, ReportTables.SimulationRows(stats));
        if (result.Thresholds.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("## Thresholds");
            text.AppendLine();
            foreach (var line in ReportTables.ThresholdLines(result))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
            }
        }
        return text.ToString();
    }

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        text.AppendLine($"| {string.Join(" | ", header)} |");
        text.AppendLine($"|{string.Join("|", header.Select((_, c) => c < 3 ? "---" : "---:"))}|");
        foreach (var row in rows)
        {
            text.AppendLine($"| {string.Join(" | ", row.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal)))} |");
        }
    }
}
