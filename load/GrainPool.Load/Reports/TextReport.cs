using System.Globalization;
using System.Text;

namespace GrainPool.Load;

/// <summary>The console report: plain-text tables with aligned columns.</summary>
public static class TextReport
{
    /// <summary>The report of one scenario's <paramref name="result"/> as text: latency, simulations, thresholds (the console table).</summary>
    public static string Render(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        Scenario(text, result);
        return text.ToString();
    }

    /// <summary>
    /// The whole <paramref name="report"/> as text: its title, start and machine; each scenario as
    /// <see cref="Render(LoadResult)"/> writes it, followed by its per-interval rows; the extra sections (a chart as its
    /// points); the configuration.
    /// </summary>
    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(TextTables.OneLine(report.Title));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"started: {ReportTables.Time(report.StartedAt)}, machine: {ReportTables.Machine(report.Machine)}");
        foreach (var result in report.Results)
        {
            text.AppendLine();
            Scenario(text, result);
            if (result.Stats.Intervals.Count > 0)
            {
                text.AppendLine();
                TextTables.Plain(text, ReportTables.IntervalHeader, ReportTables.IntervalRows(result.Stats), ReportTables.IntervalTextColumns);
            }
        }
        foreach (var section in report.Sections)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"== {TextTables.OneLine(section.Title)} ==");
            if (!string.IsNullOrEmpty(section.Text))
            {
                text.AppendLine(section.Text);
            }
            if (section.Table is { } table)
            {
                text.AppendLine();
                TextTables.Plain(text, table.Header, table.Rows, table.TextColumns);
            }
            if (section.Chart is { } chart)
            {
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"chart: {TextTables.OneLine(chart.Title)}");
                TextTables.Plain(text, TextTables.ChartHeader(chart), TextTables.ChartRows(chart), 1);
            }
        }
        if (!string.IsNullOrWhiteSpace(report.Configuration))
        {
            text.AppendLine();
            text.AppendLine("configuration:");
            text.AppendLine(report.Configuration.TrimEnd());
        }
        return text.ToString();
    }

    private static void Scenario(StringBuilder text, LoadResult result)
    {
        var stats = result.Stats;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"scenario: {stats.Name}, duration: {stats.Duration.TotalSeconds:0.###} s, fail: {stats.FailPercent:0.###} %, late iterations: {stats.LateCount}");
        text.AppendLine(ReportTables.LatencyNote);
        text.AppendLine();
        TextTables.Plain(text, ReportTables.LatencyHeader, ReportTables.LatencyRows(stats), ReportTables.LatencyTextColumns);
        text.AppendLine();
        TextTables.Plain(text, ReportTables.SimulationHeader, ReportTables.SimulationRows(stats), ReportTables.SimulationTextColumns);
        if (result.Thresholds.Count > 0 || result.Aborted)
        {
            text.AppendLine();
            foreach (var line in ReportTables.ThresholdLines(result))
            {
                text.AppendLine(line);
            }
        }
    }
}
