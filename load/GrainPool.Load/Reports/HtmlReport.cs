using System.Globalization;
using System.Text;

namespace GrainPool.Load;

/// <summary>
/// The report as one self-contained HTML page: no script to run, no stylesheet, font or image to fetch, so it opens
/// with no network. Charts are inline SVG (<see cref="LineChart"/>), each followed by its data as JSON in a
/// <c>&lt;script type="application/json" id="{chart id}-data"&gt;</c> element. The page is also well-formed XML
/// (every element closed, only XML's own entities), so tools can read it as XHTML.
/// </summary>
/// <remarks>
/// Ids on the page: <c>summary</c>, <c>rps</c> (holding the chart <c>rps-over-time</c>), <c>scenario-{i}</c> per scenario from 0
/// (charts <c>latency-over-time-{i}</c> and <c>latency-distribution-{i}</c>; tables <c>steps-{i}</c>, <c>simulations-{i}</c>,
/// <c>thresholds-{i}</c>, <c>intervals-{i}</c>), <c>section-{k}</c> per extra section (chart <c>section-{k}-chart</c>,
/// table <c>section-{k}-table</c>), <c>configuration</c>, <c>machine</c>.
/// </remarks>
public static class HtmlReport
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
        h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { margin-top: 1.5em; }
        table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
        th { background: #f3f3f3; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .passed { color: #17692b; background: #e7f6ea; font-weight: bold; }
        .failed { color: #fff; background: #c62828; font-weight: bold; }
        pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.8em; overflow: auto; }
        figure { margin: 0.5em 0 1.5em; }
        svg.chart { max-width: 100%; height: auto; background: #fff; }
        .note { color: #555; }
        """;

    /// <summary>The page of <paramref name="report"/>.</summary>
    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Append(CultureInfo.InvariantCulture, $"<title>{E(report.Title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n");
        h.Append(CultureInfo.InvariantCulture, $"<h1>{E(report.Title)}</h1>\n");
        h.Append(CultureInfo.InvariantCulture,
            $"<p id=\"machine\">Started <time datetime=\"{E(report.StartedAt.ToString("o", CultureInfo.InvariantCulture))}\">{E(ReportTables.Time(report.StartedAt))}</time> on {E(ReportTables.Machine(report.Machine))}.</p>\n");
        h.Append("<p class=\"note\">Latency counts from each iteration's intended start (coordinated omission corrected); service time from its real start.</p>\n");

        Summary(h, report.Results);

        h.Append("<section id=\"rps\">\n<h2>Requests per second</h2>\n");
        Chart(h, ReportCharts.RpsOverTime(report.Results), ReportCharts.RpsId);
        h.Append("</section>\n");

        for (var i = 0; i < report.Results.Count; i++)
        {
            Scenario(h, report.Results[i], i);
        }
        for (var k = 0; k < report.Sections.Count; k++)
        {
            var section = report.Sections[k];
            h.Append(CultureInfo.InvariantCulture, $"<section id=\"section-{k}\" class=\"extra\">\n<h2>{E(section.Title)}</h2>\n");
            if (!string.IsNullOrEmpty(section.Text))
            {
                h.Append(CultureInfo.InvariantCulture, $"<p>{E(section.Text)}</p>\n");
            }
            if (section.Table is { } table)
            {
                Table(h, $"section-{k}-table", table.Header, table.Rows, table.TextColumns);
            }
            if (section.Chart is { } chart)
            {
                Chart(h, chart, $"section-{k}-chart");
            }
            h.Append("</section>\n");
        }
        h.Append("<section id=\"configuration\">\n<h2>Configuration</h2>\n");
        h.Append(string.IsNullOrWhiteSpace(report.Configuration)
            ? "<p>No configuration was given.</p>\n"
            : $"<pre><code>{E(report.Configuration.TrimEnd())}</code></pre>\n");
        h.Append("</section>\n</body>\n</html>\n");
        return h.ToString();
    }

    private static void Summary(StringBuilder h, IReadOnlyList<LoadResult> results)
    {
        h.Append("<section id=\"summary\">\n<h2>Summary</h2>\n");
        IReadOnlyList<string> header =
            ["scenario", "duration s", "ok", "fail", "fail %", "ok rps", "p50 ms", "p95 ms", "p99 ms", "late", "thresholds"];
        h.Append("<table id=\"summary-table\">\n<thead>\n");
        HeaderRow(h, header);
        h.Append("</thead>\n<tbody>\n");
        foreach (var result in results)
        {
            var s = result.Stats;
            h.Append("<tr>");
            Cell(h, s.Name, number: false);
            foreach (var cell in new[]
            {
                ReportTables.Number(s.Duration.TotalSeconds), ReportTables.Integer(s.Ok.Count), ReportTables.Integer(s.Fail.Count),
                ReportTables.Number(s.FailPercent), ReportTables.Number(s.Ok.Rps), ReportTables.Number(s.Ok.Latency.P50),
                ReportTables.Number(s.Ok.Latency.P95), ReportTables.Number(s.Ok.Latency.P99), ReportTables.Integer(s.LateCount),
            })
            {
                Cell(h, cell, number: true);
            }
            var failed = result.Thresholds.Count(t => !t.Passed);
            if (result.Thresholds.Count == 0)
            {
                Cell(h, "none", number: false);
            }
            else
            {
                var word = string.Create(CultureInfo.InvariantCulture,
                    $"{ReportTables.PassedWord(failed == 0)} ({result.Thresholds.Count - failed} of {result.Thresholds.Count} passed)");
                h.Append(CultureInfo.InvariantCulture, $"<td class=\"{Class(failed == 0)}\">{E(word)}</td>");
            }
            h.Append("</tr>\n");
        }
        h.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void Scenario(StringBuilder h, LoadResult result, int i)
    {
        var stats = result.Stats;
        h.Append(CultureInfo.InvariantCulture,
            $"<section id=\"scenario-{i}\" class=\"scenario\" data-scenario=\"{E(stats.Name)}\">\n<h2>Scenario: {E(stats.Name)}</h2>\n");
        h.Append(CultureInfo.InvariantCulture, $"<p>{E(ReportTables.Summary(stats))}.</p>\n");

        h.Append("<h3>Latency over time</h3>\n");
        Chart(h, ReportCharts.LatencyOverTime(stats), ReportCharts.LatencyId(i));
        h.Append("<h3>Latency distribution</h3>\n");
        Chart(h, ReportCharts.Distribution(stats), ReportCharts.DistributionId(i));

        h.Append("<h3>Steps</h3>\n");
        h.Append(CultureInfo.InvariantCulture, $"<div id=\"steps-{i}\">\n");
        var scope = 0;
        foreach (var (name, ok, fail) in ReportTables.Scopes(stats))
        {
            h.Append(CultureInfo.InvariantCulture, $"<h4>{E(name)}</h4>\n");
            Table(h, $"steps-{i}-{scope++}", ReportTables.LatencyHeader, ReportTables.ScopeRows(name, ok, fail), ReportTables.LatencyTextColumns);
        }
        h.Append("</div>\n");

        h.Append("<h3>Load simulations: planned and achieved</h3>\n");
        Table(h, $"simulations-{i}", ReportTables.SimulationHeader, ReportTables.SimulationRows(stats), ReportTables.SimulationTextColumns);

        h.Append("<h3>Thresholds</h3>\n");
        if (result.Thresholds.Count == 0)
        {
            h.Append(CultureInfo.InvariantCulture, $"<p id=\"thresholds-{i}\">No thresholds.</p>\n");
        }
        else
        {
            h.Append(CultureInfo.InvariantCulture, $"<table id=\"thresholds-{i}\">\n<thead>\n");
            HeaderRow(h, ["threshold", "result"]);
            h.Append("</thead>\n<tbody>\n");
            foreach (var t in result.Thresholds)
            {
                h.Append(CultureInfo.InvariantCulture,
                    $"<tr class=\"{Class(t.Passed)}\"><td>{E(t.Name)}</td><td class=\"{Class(t.Passed)}\">{ReportTables.PassedWord(t.Passed)}{E(ReportTables.FailedAtText(t))}</td></tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
        }

        if (result.Aborted)
        {
            h.Append(CultureInfo.InvariantCulture, $"<p id=\"aborted-{i}\" class=\"failed\">Aborted: {E(result.AbortReason ?? "")}</p>\n");
        }

        h.Append("<h3>Intervals</h3>\n");
        if (stats.Intervals.Count == 0)
        {
            h.Append(CultureInfo.InvariantCulture, $"<p id=\"intervals-{i}\">No interval rows were taken.</p>\n");
        }
        else
        {
            Table(h, $"intervals-{i}", ReportTables.IntervalHeader, ReportTables.IntervalRows(stats), ReportTables.IntervalTextColumns);
        }
        h.Append("</section>\n");
    }

    private static void Chart(StringBuilder h, LineChart chart, string id)
    {
        h.Append("<figure>\n").Append(chart.ToSvg(id)).Append('\n');
        h.Append(CultureInfo.InvariantCulture,
            $"<script type=\"application/json\" id=\"{E(id)}{ReportCharts.DataSuffix}\">{chart.ToJson()}</script>\n</figure>\n");
    }

    private static void Table(StringBuilder h, string id, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, int textColumns)
    {
        h.Append(CultureInfo.InvariantCulture, $"<table id=\"{E(id)}\">\n<thead>\n");
        HeaderRow(h, header);
        h.Append("</thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            h.Append("<tr>");
            for (var c = 0; c < row.Count; c++)
            {
                Cell(h, row[c], number: c >= textColumns);
            }
            h.Append("</tr>\n");
        }
        h.Append("</tbody>\n</table>\n");
    }

    private static void HeaderRow(StringBuilder h, IReadOnlyList<string> header)
    {
        h.Append("<tr>");
        foreach (var name in header)
        {
            h.Append(CultureInfo.InvariantCulture, $"<th>{E(name)}</th>");
        }
        h.Append("</tr>\n");
    }

    private static void Cell(StringBuilder h, string text, bool number) =>
        h.Append(CultureInfo.InvariantCulture, $"<td{(number ? " class=\"num\"" : "")}>{E(text)}</td>");

    private static string Class(bool passed) => passed ? "passed" : "failed";

    private static string E(string? text) => Html.Escape(text);
}
