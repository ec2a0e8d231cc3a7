using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.VisualBasic.FileIO;

namespace GrainPool.Load.Tests;

/// <summary>
/// The report folder (issue 10): every file is written and parses (CSV with its header, Markdown tables, HTML that
/// loads as XML and carries the plotted data), from results built by hand in <see cref="ReportSamples"/>.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed partial class ReportFolderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"grainpool-reports-{Guid.NewGuid():N}", "nested");

    public void Dispose()
    {
        var root = Path.GetDirectoryName(_folder)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Write_creates_the_folder_and_names_each_file_after_the_file_name()
    {
        var paths = ReportFolder.Write(ReportSamples.Report(), _folder, ReportFormats.All);

        Assert.Equal(
            ["report.txt", "report.md", "report.csv", "report-intervals.csv", "report.html"],
            paths.Select(Path.GetFileName));
        Assert.All(paths, p => Assert.Equal(Path.GetFullPath(_folder), Path.GetDirectoryName(p)));
        Assert.All(paths, p => Assert.True(new FileInfo(p).Length > 0, p));
        Assert.Equal(5, Directory.GetFiles(_folder).Length);
    }

    [Fact]
    public void Write_writes_only_the_formats_asked_for()
    {
        var paths = ReportFolder.Write(ReportSamples.Report(), _folder, ReportFormats.Csv | ReportFormats.Html, "run-1");

        Assert.Equal(["run-1.csv", "run-1-intervals.csv", "run-1.html"], paths.Select(Path.GetFileName));
        Assert.Equal(["run-1-intervals.csv", "run-1.csv", "run-1.html"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Csv_has_its_header_and_a_row_per_scenario_scope_outcome_and_measure()
    {
        var path = ReportFolder.Write(ReportSamples.Report(), _folder, ReportFormats.Csv).Single(p => p.EndsWith("report.csv", StringComparison.Ordinal));
        var (header, rows) = ReadCsv(path);

        Assert.Equal(
            ["scenario", "scope", "step", "outcome", "measure", "count", "rps", "mean_ms", "p50_ms", "p75_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "size_bytes"],
            header);
        // alpha: (scenario + 2 steps) x (ok, fail) x (latency, service) = 12; beta: (scenario + 1 step) x 2 x 2 = 8.
        Assert.Equal(20, rows.Count);
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        Assert.Equal(12, rows.Count(r => r[0] == ReportSamples.AlphaName));
        // The second step's failed calls: Outcome(25, 2, 30), whose service time is Latency(15).
        var row = Assert.Single(rows, r => r[0] == ReportSamples.AlphaName && r[2] == ReportSamples.PipeStep && r[3] == "fail" && r[4] == "service");
        Assert.Equal(["step", "25", "2", "15.5", "15", "16", "17", "18", "19", "20", "250"], row[1..2].Concat(row[5..]));
        var scenarioRow = Assert.Single(rows, r => r[0] == ReportSamples.BetaName && r[1] == "scenario" && r[3] == "ok" && r[4] == "latency");
        Assert.Equal("", scenarioRow[2]);
        Assert.Equal(["300", "30", "4.5", "4", "5", "6", "7", "8", "9", "3000"], scenarioRow[5..]);
    }

    [Fact]
    public void Intervals_csv_has_its_header_and_the_rows_of_every_interval()
    {
        var path = ReportFolder.Write(ReportSamples.Report(), _folder, ReportFormats.Csv).Single(p => p.EndsWith("report-intervals.csv", StringComparison.Ordinal));
        var (header, rows) = ReadCsv(path);

        Assert.Equal(
            ["scenario", "interval", "start_s", "duration_s", "simulation", "late", "scope", "step", "outcome", "measure",
             "count", "rps", "mean_ms", "p50_ms", "p75_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "size_bytes"],
            header);
        // alpha: 3 intervals x 12 rows; beta: 2 intervals x 8 rows.
        Assert.Equal(36 + 16, rows.Count);
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        var last = rows.Where(r => r[0] == ReportSamples.AlphaName && r[1] == "2").ToList();
        Assert.Equal(12, last.Count);
        Assert.All(last, r => Assert.Equal(["10", "2.5"], r[2..4]));
        Assert.All(last, r => Assert.Equal("2", r[5]));
        var okLatency = Assert.Single(last, r => r[6] == "scenario" && r[8] == "ok" && r[9] == "latency");
        Assert.Equal(["25", "10", "30.5", "30", "31", "32", "33", "34", "35", "250"], okLatency[10..]);
    }

    [Fact]
    public void Markdown_has_every_table_with_header_separator_and_rows()
    {
        var path = ReportFolder.Write(ReportSamples.Report(), _folder, ReportFormats.Markdown).Single();
        var lines = File.ReadAllLines(path);
        var tables = MarkdownTables(lines);

        // Per scenario: latency, simulations, intervals; then the extra section's table and its chart's points.
        Assert.Equal([12, 1, 3, 8, 1, 2, 3, 6], tables.Select(t => t.Count - 2));
        foreach (var table in tables)
        {
            var columns = Cells(table[0]).Length;
            Assert.Matches(SeparatorLine(), table[1]);
            Assert.Equal(columns, Cells(table[1]).Length);
            Assert.All(table.Skip(2), row => Assert.Equal(columns, Cells(row).Length));
        }
        Assert.Equal(["scope", "outcome", "measure", "count", "rps", "mean ms", "p50 ms", "p75 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"], Cells(tables[0][0]));
        Assert.Contains(tables[0], row => Cells(row).SequenceEqual([$"step {ReportSamples.PipeStep}", "fail", "service", "25", "2", "15.5", "15", "16", "17", "18", "19", "20"]));
        Assert.Equal(["silos", "rps"], Cells(tables[6][0]));
        Assert.Equal(["2", "190"], Cells(tables[6][3]));
        Assert.Contains("- FAILED: fail% < 5 & \"low\"", lines);
        Assert.Contains("- passed: p99 < 50 ms", lines);
        // The configuration sits in a fence longer than the backticks it holds.
        var fence = Array.IndexOf(lines, "````");
        Assert.True(fence > 0);
        Assert.Equal(ReportSamples.Configuration.Split('\n'), lines[(fence + 1)..(fence + 1 + 5)]);
        Assert.Equal("````", lines[fence + 6]);
    }

    [Fact]
    public void Text_has_each_scenario_its_intervals_the_sections_and_the_configuration()
    {
        var text = File.ReadAllText(ReportFolder.Write(ReportSamples.Report(), _folder, ReportFormats.Txt).Single());

        Assert.Contains($"scenario: {ReportSamples.AlphaName}, duration: 12.5 s, fail: 20 %, late iterations: 3", text, StringComparison.Ordinal);
        Assert.Contains("scenario: beta, duration: 10 s, fail: 0 %, late iterations: 0", text, StringComparison.Ordinal);
        Assert.Contains("FAILED: fail% < 5 & \"low\"", text, StringComparison.Ordinal);
        var lines = text.Split('\n');
        Assert.Equal(2, lines.Count(l => l.StartsWith("scenario  ", StringComparison.Ordinal) && l.Contains("interval", StringComparison.Ordinal)));
        Assert.Equal(3 + 2, lines.Count(l => l.StartsWith("alpha <b>", StringComparison.Ordinal) || l.StartsWith("beta  ", StringComparison.Ordinal)));
        Assert.Contains("== Scaling ==", lines);
        Assert.Contains(ReportSamples.Configuration, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_loads_as_xml_and_carries_the_plotted_intervals()
    {
        var html = Html();

        // Each series' points (x: the interval's end in seconds), written out from the intervals built by hand.
        AssertSeries(
            ChartData(html, "rps-over-time"),
            ("alpha <b> & \"q\", 'x' ok", false, [(5, 8), (10, 0), (12.5, 10)]),
            ("alpha <b> & \"q\", 'x' fail", true, [(5, 2), (10, 10), (12.5, 0)]),
            ("beta ok", false, [(5, 28), (10, 32)]),
            ("beta fail", true, [(5, 0), (10, 0)]));
        // The middle interval had no successful iteration, so it has no latency point.
        AssertSeries(
            ChartData(html, "latency-over-time-0"),
            ("p50", false, [(5, 10), (12.5, 30)]), ("p95", false, [(5, 12), (12.5, 32)]), ("p99", false, [(5, 13), (12.5, 33)]));
        AssertSeries(
            ChartData(html, "latency-over-time-1"),
            ("p50", false, [(5, 3), (10, 5)]), ("p95", false, [(5, 5), (10, 7)]), ("p99", false, [(5, 6), (10, 8)]));
        // The whole run's ok latency is Latency(20), its service time Latency(10).
        AssertSeries(
            ChartData(html, "latency-distribution-0"),
            ("latency", false, [(0, 19.75), (50, 20), (100, 25)]), ("service time", true, [(0, 9.75), (50, 10), (100, 15)]));
        AssertSeries(
            ChartData(html, "section-0-chart"),
            ("measured", false, [(1, 100), (2, 190), (4, 350)]), ("ideal", true, [(1, 100), (2, 200), (4, 400)]));
        using var data = JsonDocument.Parse(ChartData(html, "rps-over-time"));
        Assert.Equal("Requests per second over time", data.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public void Html_draws_each_series_with_as_many_points_as_its_data_and_dashes_the_dashed_ones()
    {
        var page = XDocument.Parse(Html());

        var rps = ById(page, "rps-over-time");
        Assert.Equal("svg", rps.Name.LocalName);
        Assert.Equal("Requests per second over time", rps.Element("title")!.Value);
        var series = rps.Elements("g").Where(g => (string?)g.Attribute("class") == "series").ToDictionary(g => (string)g.Attribute("data-series")!);
        Assert.Equal(["alpha <b> & \"q\", 'x' ok", "alpha <b> & \"q\", 'x' fail", "beta ok", "beta fail"], series.Keys);
        Assert.Null(series["beta ok"].Element("polyline")!.Attribute("stroke-dasharray"));
        Assert.NotNull(series["beta fail"].Element("polyline")!.Attribute("stroke-dasharray"));
        Assert.Equal(3, ((string)series["alpha <b> & \"q\", 'x' ok"].Element("polyline")!.Attribute("points")!).Split(' ').Length);
        Assert.Equal(2, ((string)series["beta fail"].Element("polyline")!.Attribute("points")!).Split(' ').Length);
        // The legend's sample lines are dashed alike: two dashed of four.
        var legend = rps.Elements("g").Where(g => (string?)g.Attribute("class") == "legend-entry").ToList();
        Assert.Equal(4, legend.Count);
        Assert.Equal([false, true, false, true], legend.Select(g => g.Element("line")!.Attribute("stroke-dasharray") is not null));
        var distribution = ById(page, "latency-distribution-0");
        Assert.NotNull(distribution.Elements("g").Single(g => (string?)g.Attribute("data-series") == "service time").Element("polyline")!.Attribute("stroke-dasharray"));
    }

    [Fact]
    public void Html_has_per_step_simulation_threshold_and_interval_tables_and_the_configuration()
    {
        var page = XDocument.Parse(Html());

        var alpha = ById(page, "scenario-0");
        Assert.Equal($"Scenario: {ReportSamples.AlphaName}", alpha.Element("h2")!.Value);
        // One table per scope (the scenario, then each step), four rows each.
        var steps = ById(page, "steps-0").Elements("table").ToList();
        Assert.Equal(3, steps.Count);
        Assert.All(steps, t => Assert.Equal(4, Rows(t).Count));
        Assert.Equal(["scenario " + ReportSamples.AlphaName, "step first", "step " + ReportSamples.PipeStep], ById(page, "steps-0").Elements("h4").Select(h => h.Value));
        Assert.Equal(["Inject(rate: 10, interval: 00:00:01, during: 00:00:12.5)", "12.5", "125", "125", "10", "10", "3"], Rows(ById(page, "simulations-0")).Single());
        Assert.Equal(["KeepConstant(copies: 2, during: 00:00:10)", "10", "-", "300", "-", "30", "0"], Rows(ById(page, "simulations-1")).Single());
        Assert.Equal(3, Rows(ById(page, "intervals-0")).Count);
        Assert.Equal(2, Rows(ById(page, "intervals-1")).Count);
        Assert.Equal("p", ById(page, "thresholds-1").Name.LocalName);

        var thresholds = ById(page, "thresholds-0").Descendants("tr").Skip(1).ToList();
        Assert.Equal(["passed", "failed"], thresholds.Select(tr => (string)tr.Elements("td").Last().Attribute("class")!));
        Assert.Equal(["passed", "FAILED"], thresholds.Select(tr => tr.Elements("td").Last().Value));
        Assert.Equal("fail% < 5 & \"low\"", thresholds[1].Elements("td").First().Value);

        Assert.Equal(ReportSamples.Configuration, ById(page, "configuration").Element("pre")!.Value);
        Assert.Equal(["1", "100"], Rows(ById(page, "section-0-table"))[0]);
        Assert.Equal("Load run <sample> & \"test\"", page.Descendants("title").First().Value);
        Assert.Contains("16 processors, Linux <test>, .NET 10", ById(page, "machine").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_escapes_every_text_and_loads_nothing_from_outside()
    {
        var html = Html();
        var page = XDocument.Parse(html);

        // The section's text arrives as text, not as an element.
        Assert.Equal(ReportSamples.SectionText, ById(page, "section-0").Element("p")!.Value);
        Assert.All(page.Descendants("script"), s => Assert.Equal("application/json", (string?)s.Attribute("type")));
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</pre> &", html, StringComparison.Ordinal);
        Assert.DoesNotContain("& \"", html, StringComparison.Ordinal);
        // No address, no element or attribute that fetches one, no stylesheet import.
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(page.Descendants(), e => e.Name.LocalName is "link" or "img" or "iframe" or "object" or "embed" or "use" or "image");
        Assert.DoesNotContain(page.Descendants().Attributes(), a => a.Name.LocalName is "src" or "href" or "srcset" or "data");
    }

    [Fact]
    public void A_report_without_scenarios_or_configuration_still_writes_files_that_parse()
    {
        var report = new LoadReport("empty", [], DateTimeOffset.UnixEpoch);
        var paths = ReportFolder.Write(report, _folder, ReportFormats.All);

        Assert.Equal(5, paths.Count);
        Assert.Empty(ReadCsv(paths[2]).Rows);
        Assert.Equal(15, ReadCsv(paths[2]).Header.Length);
        Assert.Empty(ReadCsv(paths[3]).Rows);
        var page = XDocument.Parse(File.ReadAllText(paths[4]));
        Assert.Equal("no data", ById(page, "rps-over-time").Elements("text").Single(e => (string?)e.Attribute("class") == "no-data").Value);
        Assert.Equal("No configuration was given.", ById(page, "configuration").Element("p")!.Value);
        Assert.Empty(ById(page, "summary-table").Element("tbody")!.Elements("tr"));
    }

    private string Html() => File.ReadAllText(ReportFolder.Write(ReportSamples.Report(), _folder, ReportFormats.Html).Single());

    private static XElement ById(XDocument page, string id) => page.Descendants().Single(e => (string?)e.Attribute("id") == id);

    private static List<string[]> Rows(XElement table) =>
        [.. table.Element("tbody")!.Elements("tr").Select(tr => tr.Elements("td").Select(td => td.Value).ToArray())];

    /// <summary>The text of the JSON element that carries the chart's data, found in the page read as XML.</summary>
    private static string ChartData(string html, string chartId)
    {
        var script = ById(XDocument.Parse(html), chartId + "-data");
        Assert.Equal("script", script.Name.LocalName);
        Assert.Equal("application/json", (string?)script.Attribute("type"));
        return script.Value;
    }

    /// <summary>The chart data's series are, in order, the expected names, dashes and points.</summary>
    private static void AssertSeries(string json, params (string Name, bool Dashed, (double X, double Y)[] Points)[] expected)
    {
        using var data = JsonDocument.Parse(json);
        var series = data.RootElement.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.Name), series.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(expected.Select(e => e.Dashed), series.Select(s => s.GetProperty("dashed").GetBoolean()));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Points, series[i].GetProperty("points").EnumerateArray().Select(p => (p.GetProperty("x").GetDouble(), p.GetProperty("y").GetDouble())));
        }
    }

    /// <summary>Reads a CSV file with the framework's own RFC 4180 parser, not the report's code.</summary>
    private static (string[] Header, List<string[]> Rows) ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }
        return (header, rows);
    }

    /// <summary>Runs of consecutive lines that start with a pipe.</summary>
    private static List<List<string>> MarkdownTables(IEnumerable<string> lines)
    {
        var tables = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in lines)
        {
            if (line.StartsWith('|'))
            {
                (current ??= []).Add(line);
            }
            else if (current is not null)
            {
                tables.Add(current);
                current = null;
            }
        }
        if (current is not null)
        {
            tables.Add(current);
        }
        return tables;
    }

    /// <summary>A Markdown table line's cells, split at the pipes that are not escaped, unescaped and trimmed.</summary>
    private static string[] Cells(string line)
    {
        Assert.True(line.Length >= 2 && line[0] == '|' && line[^1] == '|', line);
        return [.. UnescapedPipe().Split(line[1..^1]).Select(c => c.Trim().Replace("\\|", "|", StringComparison.Ordinal))];
    }

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();

    [GeneratedRegex(@"^\|(:?-{3,}:?\|)+$")]
    private static partial Regex SeparatorLine();
}
