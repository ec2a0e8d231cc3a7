using System.Text.Json;
using System.Text.RegularExpressions;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Observability.Tests;

/// <summary>
/// A short real load test as CI runs it: <c>grainpool --silos 2 load run --scenario mix</c> (is-prime under open load,
/// map batches and sieve counts at once, every answer checked against a published value) against two silo processes,
/// then its HTML report opened in headless Chromium. The report folder and the screenshot stay in the test artifacts
/// (<c>artifacts/tests/load-test/</c>).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Observability)]
public sealed partial class LoadTestReportTests
{
    private static readonly string[] Scenarios = ["is-prime", "map", "count"];

    [Fact]
    public async Task A_short_load_test_on_two_silos_fails_no_request_passes_its_thresholds_and_its_report_renders_in_chromium()
    {
        var folder = TestArtifacts.Folder("load-test");

        var json = (await CliProcess.RunAsync(
            "--silos", "2", "load", "run", "--scenario", "mix", "--duration", "10s", "--warm-up", "2s", "--reporting-interval", "2s",
            "--threshold", "fail% <= 0", "--threshold", "p99 < 20 s", "--report-folder", folder, "--json")).Json();

        Assert.True(json.GetProperty("passed").GetBoolean());
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
        var scenarios = json.GetProperty("scenarios").EnumerateArray().ToList();
        Assert.Equal(Scenarios, scenarios.Select(s => s.GetProperty("name").GetString()));
        Assert.All(scenarios, s =>
        {
            Assert.True(s.GetProperty("ok").GetInt64() > 0, $"{s.GetProperty("name")} completed no iteration");
            Assert.Equal(0, s.GetProperty("fail").GetInt64());
            Assert.All(s.GetProperty("thresholds").EnumerateArray(), t => Assert.True(t.GetProperty("passed").GetBoolean(), t.GetProperty("name").GetString()));
        });

        var page = Path.Combine(folder, "report.html");
        var screenshot = Path.Combine(folder, "report.png");
        var dom = await HeadlessChromium.RenderAsync(new Uri(page), screenshot, "1400,4000");

        Assert.Contains("Requests per second over time", dom, StringComparison.Ordinal);
        foreach (var scenario in Scenarios)
        {
            Assert.Contains($"data-scenario=\"{scenario}\"", dom, StringComparison.Ordinal);
            Assert.Contains($"data-series=\"{scenario} ok\"", dom, StringComparison.Ordinal);
        }

        // The RPS chart plots one point per reporting interval of each scenario (10 s at 2 s: at least 5), and the
        // points it plots are the ok rates of the intervals: their mean is the scenario's ok rate over the run.
        var chart = ChartData(dom, "rps-over-time");
        foreach (var scenario in scenarios)
        {
            var name = scenario.GetProperty("name").GetString();
            var points = chart.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("name").GetString() == $"{name} ok")
                .GetProperty("points").EnumerateArray().Select(p => p.GetProperty("y").GetDouble()).ToList();
            Assert.InRange(points.Count, 5, 7);
            Assert.All(points, y => Assert.True(y >= 0));
        }

        Assert.True(new FileInfo(screenshot).Length > 20_000, $"the screenshot {screenshot} is nearly empty");
    }

    private static JsonElement ChartData(string dom, string chartId)
    {
        var match = DataScript().Matches(dom).FirstOrDefault(m => m.Groups["id"].Value == chartId + "-data");
        Assert.True(match is not null, $"the page has no data for chart {chartId}");
        using var document = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(match.Groups["json"].Value));
        return document.RootElement.Clone();
    }

    [GeneratedRegex("""<script type="application/json" id="(?<id>[^"]+)">(?<json>.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex DataScript();
}
