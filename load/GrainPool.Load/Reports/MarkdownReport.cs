using System.Globalization;
using System.Text;

namespace GrainPool.Load;

/// <summary>The Markdown report: the same tables as <see cref="TextReport"/>, as Markdown tables.</summary>
public static class MarkdownReport
{
    /// <summary>The report of one scenario's <paramref name="result"/> as Markdown.</summary>
    public static string Render(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Load test: {TextTables.OneLine(result.Stats.Name)}");
        Scenario(text, result, "##");
        return text.ToString();
    }

    /// <summary>
    /// The whole <paramref name="report"/> as Markdown: its title, start and machine; a section per scenario (latency,
    /// simulations, thresholds, per-interval rows); the extra sections (a chart as a table of its points); the
    /// configuration in a code block.
    /// </summary>
    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {TextTables.OneLine(report.Title)}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Started {ReportTables.Time(report.StartedAt)} on {ReportTables.Machine(report.Machine)}.");
        foreach (var result in report.Results)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## Scenario: {TextTables.OneLine(result.Stats.Name)}");
            Scenario(text, result, "###");
            if (result.Stats.Intervals.Count > 0)
            {
                text.AppendLine();
                text.AppendLine("### Intervals");
                text.AppendLine();
                TextTables.Markdown(text, ReportTables.IntervalHeader, ReportTables.IntervalRows(result.Stats), ReportTables.IntervalTextColumns);
            }
        }
        foreach (var section in report.Sections)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {TextTables.OneLine(section.Title)}");
            if (!string.IsNullOrEmpty(section.Text))
            {
                text.AppendLine();
                text.AppendLine(section.Text);
            }
            if (section.Table is { } table)
            {
                text.AppendLine();
                TextTables.Markdown(text, table.Header, table.Rows, table.TextColumns);
            }
            if (section.Chart is { } chart)
            {
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"Chart: {TextTables.OneLine(chart.Title)} (drawn in the HTML report).");
                text.AppendLine();
                TextTables.Markdown(text, TextTables.ChartHeader(chart), TextTables.ChartRows(chart), 1);
            }
        }
        if (!string.IsNullOrWhiteSpace(report.Configuration))
        {
            text.AppendLine();
            text.AppendLine("## Configuration");
            text.AppendLine();
            CodeBlock(text, report.Configuration.TrimEnd());
        }
        return text.ToString();
    }

    private static void Scenario(StringBuilder text, LoadResult result, string heading)
    {
        var stats = result.Stats;
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Duration {stats.Duration.TotalSeconds:0.###} s, fail {stats.FailPercent:0.###} %, late iterations {stats.LateCount}.");
        text.AppendLine();
        text.AppendLine("Latency counts from each iteration's intended start (coordinated omission corrected); service time from its real start.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{heading} Latency");
        text.AppendLine();
        TextTables.Markdown(text, ReportTables.LatencyHeader, ReportTables.LatencyRows(stats), ReportTables.LatencyTextColumns);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{heading} Load simulations");
        text.AppendLine();
        TextTables.Markdown(text, ReportTables.SimulationHeader, ReportTables.SimulationRows(stats), ReportTables.SimulationTextColumns);
        if (result.Thresholds.Count > 0 || result.Aborted)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{heading} Thresholds");
            text.AppendLine();
            foreach (var line in ReportTables.ThresholdLines(result))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
            }
        }
    }

    /// <summary>A fenced code block whose fence is longer than any run of backticks in <paramref name="code"/>.</summary>
    private static void CodeBlock(StringBuilder text, string code)
    {
        var longest = 0;
        var run = 0;
        foreach (var c in code)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', Math.Max(3, longest + 1));
        text.AppendLine(fence);
        text.AppendLine(code);
        text.AppendLine(fence);
    }
}
