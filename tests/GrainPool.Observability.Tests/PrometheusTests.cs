using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrainPool.Abstractions;
using GrainPool.Client;
using Xunit.Abstractions;

namespace GrainPool.Observability.Tests;

/// <summary>
/// The dashboards, rules and metrics against a live Prometheus scraping real silo processes (see <see cref="StackFixture"/>).
/// </summary>
[Collection(StackCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Observability)]
public sealed partial class PrometheusTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly string[] DashboardFiles = Directory.GetFiles(Path.Combine(StackFixture.DashboardsDirectory, "grafana", "dashboards"), "*.json");

    private static string PrometheusDirectory => Path.Combine(StackFixture.DashboardsDirectory, "prometheus");

    public static TheoryData<string> Dashboards => [.. DashboardFiles.Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task Every_panel_query_of_the_dashboard_returns_series_for_the_running_cluster(string file)
    {
        var empty = new List<string>();
        var count = 0;
        foreach (var (panel, expr) in PanelQueries(file))
        {
            count++;
            var series = await stack.Prometheus.QueryAsync(Substitute(expr, "5s"));
            if (series.Count == 0)
            {
                empty.Add($"{panel}: {expr}");
            }
        }

        Assert.True(count >= 8, $"{file} has only {count} queries");
        Assert.True(empty.Count == 0, $"queries of {file} with no series:\n" + string.Join('\n', empty));
    }

    [Fact]
    public async Task The_dashboards_variables_list_the_running_cluster_and_its_silos()
    {
        // label_values(grainpool_cores_advertised, cluster) and ..., silo): the series those variables read.
        var series = await stack.Prometheus.QueryAsync($"grainpool_cores_advertised{{cluster=\"{stack.ClusterId}\"}}");

        Assert.Equal(stack.Silos.Select(s => s.Name).Order(), series.Select(s => s.Labels["silo"]).Order());
        Assert.All(series, s => Assert.Equal(stack.Silos.Single(silo => silo.Name == s.Labels["silo"]).Cores, s.Value)); // as the stack printed
    }

    [Fact]
    public async Task Every_recording_rule_returns_series_and_every_rule_evaluates_without_error()
    {
        var rules = (await stack.Prometheus.RulesAsync()).GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
        Assert.Contains(rules, r => r.GetProperty("type").GetString() == "recording");
        Assert.Contains(rules, r => r.GetProperty("type").GetString() == "alerting");
        Assert.All(rules, r => Assert.Equal("ok", r.GetProperty("health").GetString()));

        var empty = new List<string>();
        foreach (var record in rules.Where(r => r.GetProperty("type").GetString() == "recording").Select(r => r.GetProperty("name").GetString()!))
        {
            // At the fixture's settled instant (rules evaluated over the workload's last samples), however late this runs.
            var series = await stack.Prometheus.QueryAsync($"{record}{{cluster=\"{stack.ClusterId}\"}}", stack.SettledAt);
            if (series.Count == 0 || series.Any(s => !double.IsFinite(s.Value)))
            {
                empty.Add($"{record} ({string.Join(", ", series.Select(s => s.Value))})");
            }
        }

        Assert.True(empty.Count == 0, "recording rules with no series, or a value that is not a number, for the cluster: " + string.Join(", ", empty));
    }

    [Fact]
    public async Task Every_alert_expression_has_series_to_compare_and_no_alert_fires_for_a_healthy_cluster()
    {
        var alerts = (await stack.Prometheus.RulesAsync()).GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Where(r => r.GetProperty("type").GetString() == "alerting").ToList();
        Assert.Equal(3, alerts.Count);

        foreach (var alert in alerts)
        {
            var name = alert.GetProperty("name").GetString();
            var query = alert.GetProperty("query").GetString()!;
            var comparison = Threshold().Match(query);
            Assert.True(comparison.Success, $"{name}: '{query}' does not end in a comparison with a number");
            var measured = await stack.Prometheus.QueryAsync(query[..comparison.Index]);
            Assert.True(measured.Any(s => s.Labels.GetValueOrDefault("cluster") == stack.ClusterId), $"{name}: '{query[..comparison.Index]}' has no series for the cluster");
            // Nothing fires or is pending at all: the stack's Prometheus scrapes only the stack's silos.
            Assert.Empty(alert.GetProperty("alerts").EnumerateArray());
        }
    }

    [Fact]
    public async Task The_dashboards_speedup_panel_and_rule_equal_the_speedup_computed_from_the_raw_counters_at_each_checkpoint()
    {
        var overview = PanelQueries("grainpool-cluster-overview.json").ToList();
        var speedupPanel = overview.Where(q => q.Panel == "Speedup").Select(q => q.Expr).ToList();
        var busyCoresQuery = speedupPanel.Single(e => e.Contains("grainpool_worker_busy_seconds_total", StringComparison.Ordinal));
        var speedupQuery = speedupPanel.Single(e => e.Contains("grainpool:speedup:rate1m", StringComparison.Ordinal));
        var itemsByKernelQuery = overview.Single(q => q.Panel == "Items per second by kernel").Expr;
        var rules = RecordingRules();

        // The rule is evaluated here from its text in the rules file (recorded series inlined), at the checkpoint's own
        // instant; that drops the rule's own cluster selection, which is sound because this Prometheus holds one cluster.
        var clusters = await stack.Prometheus.QueryAsync("count by (cluster) ({__name__=~\"grainpool_.+\"})", stack.SettledAt);
        Assert.Equal([stack.ClusterId], clusters.Select(c => c.Labels.GetValueOrDefault("cluster")));

        foreach (var (name, at) in stack.Checkpoints)
        {
            // Independently: each raw counter's rate per (silo, kernel) over the same minute, combined here by the
            // definition: a kernel's throughput over one core's throughput (its items per second of kernel time), summed
            // over the kernels that completed items in the window.
            var busy = await PerSeriesRatesAsync("grainpool_worker_busy_seconds_total", at);
            var items = await PerSeriesRatesAsync("grainpool_items_completed_total", at);
            var expectedBusyCores = busy.Values.Sum();
            var expectedSpeedup = 0.0;
            var expectedItems = new Dictionary<string, double>();
            foreach (var kernel in busy.Keys.Concat(items.Keys).Select(k => k.Kernel).Distinct())
            {
                var throughput = items.Where(i => i.Key.Kernel == kernel).Sum(i => i.Value);
                var kernelSeconds = busy.Where(b => b.Key.Kernel == kernel).Sum(b => b.Value);
                expectedItems[kernel] = throughput;
                if (throughput > 0 && kernelSeconds > 0)
                {
                    var oneCore = throughput / kernelSeconds;
                    expectedSpeedup += throughput / oneCore;
                }
            }

            var dashboardBusyCores = (await stack.Prometheus.QueryAsync(Substitute(busyCoresQuery, "1m"), at)).Single().Value;
            var dashboardSpeedup = (await stack.Prometheus.QueryAsync(Inline(Substitute(speedupQuery, "1m"), rules), at)).Single().Value;
            var dashboardItems = (await stack.Prometheus.QueryAsync(Substitute(itemsByKernelQuery, "1m"), at)).ToDictionary(s => s.Labels["kernel"], s => s.Value);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} ({at:HH:mm:ss.fff}): busy cores {dashboardBusyCores:0.000} (raw {expectedBusyCores:0.000}), speedup {dashboardSpeedup:0.000} (raw {expectedSpeedup:0.000}), items/s {string.Join(", ", dashboardItems.Select(i => $"{i.Key} {i.Value:0}"))}"));

            AssertClose(expectedBusyCores, dashboardBusyCores, $"{name}: the Speedup panel's busy cores");
            AssertClose(expectedSpeedup, dashboardSpeedup, $"{name}: the Speedup panel's rule-based speedup");
            Assert.Equal(expectedItems.Keys.Order(), dashboardItems.Keys.Order());
            Assert.All(dashboardItems, i => AssertClose(expectedItems[i.Key], i.Value, $"{name}: items per second of {i.Key}"));

            // Each checkpoint holds what it stands for (facts of the workload, not speeds): the trial kernel computed,
            // on both silos after the two-worker run; after the cancelled job, the sieve was busy but completed nothing,
            // so the rule's leaving out such a kernel is exercised too.
            const string Trial = "prime-count/trial";
            if (name.StartsWith("trial", StringComparison.Ordinal))
            {
                Assert.True(items.Where(i => i.Key.Kernel == Trial).Sum(i => i.Value) > 0, $"{name}: no trial items in the minute before");
            }

            if (name == "trial on 2 workers")
            {
                Assert.All(stack.Silos, s => Assert.True(busy.GetValueOrDefault((s.Name, Trial)) > 0, $"{name}: {s.Name} spent no time in the trial kernel"));
            }

            if (name == "cancelled job")
            {
                const string Sieve = "prime-count/sieve";
                Assert.True(busy.Where(b => b.Key.Kernel == Sieve).Sum(b => b.Value) > 0, $"{name}: the sieve shows no busy time");
                Assert.Equal(0, items.Where(i => i.Key.Kernel == Sieve).Sum(i => i.Value));
            }
        }

        // The speedup the CLI measured, for the reader only: wall-clock times on a shared machine are no pass mark.
        var trial = stack.Trial;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CLI (not asserted): {trial.OneWorkerMs:0} ms on 1 worker, {trial.TwoWorkersMs:0} ms on 2, speedup {trial.OneWorkerMs / trial.TwoWorkersMs:0.00}x"));
    }

    // rate(counter[1m]) of each (silo, kernel) series of the cluster at the instant.
    private async Task<Dictionary<(string Silo, string Kernel), double>> PerSeriesRatesAsync(string counter, DateTimeOffset at) =>
        (await stack.Prometheus.QueryAsync($"rate({counter}{{cluster=\"{stack.ClusterId}\"}}[1m])", at))
            .ToDictionary(s => (s.Labels["silo"], s.Labels["kernel"]), s => s.Value);

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), string.Create(CultureInfo.InvariantCulture, $"{what}: {actual:R}, computed from the raw counters {expected:R}"));

    // The recording rules of the project's rules file: record name -> expression.
    private static Dictionary<string, string> RecordingRules()
    {
        var text = File.ReadAllText(Path.Combine(PrometheusDirectory, "rules", "grainpool-recording.yml"));
        return RuleBlock().Matches(text).ToDictionary(m => m.Groups["name"].Value, m => Regex.Replace(m.Groups["expr"].Value, @"\s+", " ").Trim());
    }

    // Replaces each recorded series (with its selector) by its rule's expression until none is left.
    private static string Inline(string expr, Dictionary<string, string> rules)
    {
        for (var depth = 0; RecordedSeries().IsMatch(expr); depth++)
        {
            Assert.True(depth < 10, $"recording rules refer to each other in a cycle: {expr}");
            expr = RecordedSeries().Replace(expr, m => "(" + (rules.TryGetValue(m.Groups["name"].Value, out var inner) ? inner : throw new InvalidOperationException($"no recording rule {m.Value}")) + ")");
        }

        return expr;
    }

    [Fact]
    public async Task Promtool_accepts_the_configuration_the_rules_and_their_unit_tests()
    {
        var promtool = StackFixture.Require("promtool", "prometheus");
        var config = Path.Combine(PrometheusDirectory, "prometheus.yml");
        await AssertSucceedsAsync(promtool, "check", "config", config);
        await AssertSucceedsAsync(promtool, ["check", "rules", .. Directory.GetFiles(Path.Combine(PrometheusDirectory, "rules"), "grainpool-*.yml").Where(f => !f.EndsWith(".test.yml", StringComparison.Ordinal))]);
        var unitTests = await AssertSucceedsAsync(promtool, "test", "rules", Path.Combine(PrometheusDirectory, "rules", "grainpool-alerts.test.yml"));
        Assert.Contains("SUCCESS", unitTests);

        // The configuration the stack really runs with (derived from the project's) is valid too.
        var derived = Regex.Match(stack.StackOutput, @"with (?<path>\S+prometheus\.yml) \(from").Groups["path"].Value;
        await AssertSucceedsAsync(promtool, "check", "config", derived);
    }

    [Fact]
    public async Task Promtool_check_metrics_finds_nothing_to_fix_in_grainpools_metrics_of_a_real_scrape()
    {
        var promtool = StackFixture.Require("promtool", "prometheus");
        var scrape = await StackFixture.GetAsync(new Uri(stack.Silos[0].Http, "metrics"));
        var ours = string.Join('\n', scrape.Split('\n').Where(l => OwnFamily().IsMatch(l))) + "\n";
        Assert.Contains("grainpool_worker_busy_seconds_total", ours);

        var (code, output) = await RunAsync(promtool, ours, "check", "metrics");
        Assert.True(code == 0 && output.Trim().Length == 0, $"promtool check metrics on GrainPool's families (exit {code}):\n{output}");

        // The whole scrape parses; promtool's remaining remarks are about Orleans' and .NET's own names only.
        var (_, whole) = await RunAsync(promtool, scrape, "check", "metrics");
        var remarks = whole.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(remarks, r => r.Contains("error", StringComparison.OrdinalIgnoreCase) && !r.StartsWith("orleans_", StringComparison.Ordinal) && !r.StartsWith("dotnet_", StringComparison.Ordinal));
        Assert.All(remarks, r => Assert.True(r.StartsWith("orleans_", StringComparison.Ordinal) || r.StartsWith("dotnet_", StringComparison.Ordinal), r));
    }

    [Fact]
    public async Task Series_count_stays_constant_over_a_thousand_jobs_of_a_hundred_thousand_items()
    {
        var gateways = stack.Silos.Select(s => new IPEndPoint(IPAddress.Loopback, s.GatewayPort)).ToArray();
        await using var connection = await GrainPoolConnection.ConnectAsync(gateways, stack.ClusterId);
        var pool = connection.Client;
        long[] items = [.. Enumerable.Range(1, 100).Select(i => (long)i)];

        async Task RunJobsAsync(int jobs)
        {
            for (var job = 0; job < jobs; job++)
            {
                var map = await pool.MapAsync(BuiltInKernels.IsPrimeTrial, items);
                Assert.Equal(25, map.Results.Count(p => p)); // pi(100)
            }
        }

        await RunJobsAsync(10);
        var before = await SeriesAsync();
        await RunJobsAsync(990);
        var after = await SeriesAsync();

        // GrainPool's series are exactly the same ones; Orleans' and the runtime's may gain a one-off series (a first
        // activation collection, a first gen-2 collection, a first exception of some type), never one per job.
        static bool Labelled(string s) => s.Contains(" grainpool_", StringComparison.Ordinal);
        var appeared = after.Except(before).ToList();
        output.WriteLine($"series: {before.Count} after 10 jobs, {after.Count} after 1,000; new: {string.Join("; ", appeared)}");
        Assert.Equal(before.Where(Labelled).Order(), after.Where(Labelled).Order());
        Assert.True(appeared.Count <= 5, $"{appeared.Count} series appeared over 990 jobs: {string.Join("; ", appeared)}");
        Assert.Contains(after, s => s.Contains(" grainpool_items_completed_total{", StringComparison.Ordinal));
    }

    [Fact]
    public void Dashboards_are_valid_grafana_models_with_unique_ids_titles_units_and_the_datasource_variable_everywhere()
    {
        foreach (var file in DashboardFiles)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var name = Path.GetFileName(file);
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()), name);
            Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("uid").GetString()), name);
            var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
            Assert.Contains(variables, v => v.GetProperty("name").GetString() == "datasource" && v.GetProperty("type").GetString() == "datasource" && v.GetProperty("query").GetString() == "prometheus");
            Assert.Contains(variables, v => v.GetProperty("name").GetString() == "cluster");
            Assert.Contains(variables, v => v.GetProperty("name").GetString() == "silo");

            var text = File.ReadAllText(file);
            Assert.DoesNotContain("${DS_", text, StringComparison.Ordinal); // import-only placeholders that provisioning never fills
            var panels = root.GetProperty("panels").EnumerateArray().ToList();
            Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
            foreach (var panel in panels)
            {
                var title = panel.GetProperty("title").GetString();
                Assert.False(string.IsNullOrWhiteSpace(title), $"{name}: a panel without a title");
                Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString()), $"{name}/{title}: no unit");
                AssertUsesDatasourceVariable(panel.GetProperty("datasource"), $"{name}/{title}");
                foreach (var target in panel.GetProperty("targets").EnumerateArray())
                {
                    AssertUsesDatasourceVariable(target.GetProperty("datasource"), $"{name}/{title}/{target.GetProperty("refId").GetString()}");
                    Assert.Contains("cluster=~\"$cluster\"", target.GetProperty("expr").GetString(), StringComparison.Ordinal);
                }
            }

            foreach (var variable in variables.Where(v => v.TryGetProperty("datasource", out _)))
            {
                AssertUsesDatasourceVariable(variable.GetProperty("datasource"), $"{name}/${variable.GetProperty("name").GetString()}");
            }
        }
    }

    [Fact]
    public async Task Every_metric_the_dashboards_and_rules_name_exists_in_a_real_scrape_or_is_a_recording_rule()
    {
        var scraped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var silo in stack.Silos)
        {
            foreach (var line in (await StackFixture.GetAsync(new Uri(silo.Http, "metrics"))).Split('\n').Where(l => l.Length > 0 && l[0] != '#'))
            {
                scraped.Add(line[..line.IndexOfAny(['{', ' '])]);
            }
        }

        // The load dashboard's series come from the load runner's endpoint, not from a silo.
        foreach (var line in (await StackFixture.GetAsync(stack.Load.Url)).Split('\n').Where(l => l.Length > 0 && l[0] != '#'))
        {
            scraped.Add(line[..line.IndexOfAny(['{', ' '])]);
        }

        scraped.Add("up"); // Prometheus' own per-target series
        var rulesText = string.Join('\n', Directory.GetFiles(Path.Combine(PrometheusDirectory, "rules"), "grainpool-*.yml").Where(f => !f.EndsWith(".test.yml", StringComparison.Ordinal)).Select(File.ReadAllText));
        var recorded = RecordName().Matches(rulesText).Select(m => m.Groups["name"].Value).ToHashSet();
        var expressions = DashboardFiles.SelectMany(f => PanelQueries(Path.GetFileName(f)).Select(q => q.Expr))
            .Concat(ExprLines().Matches(rulesText).Select(m => m.Groups["expr"].Value));
        var unknown = expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value))
            .Where(n => !scraped.Contains(n) && !recorded.Contains(n))
            .Distinct().ToList();

        Assert.True(recorded.Count >= 5, $"found only {recorded.Count} recording rules");
        Assert.True(unknown.Count == 0, "metric names in dashboards or rules that no silo or load endpoint exports: " + string.Join(", ", unknown));
    }

    internal static IEnumerable<(string Panel, string Expr)> PanelQueries(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(StackFixture.DashboardsDirectory, "grafana", "dashboards", file)));
        var queries = new List<(string, string)>();
        foreach (var panel in document.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                queries.Add((panel.GetProperty("title").GetString()!, target.GetProperty("expr").GetString()!));
            }
        }

        return queries;
    }

    private string Substitute(string expr, string rateInterval) =>
        expr.Replace("$__rate_interval", rateInterval, StringComparison.Ordinal)
            .Replace("$cluster", stack.ClusterId, StringComparison.Ordinal)
            .Replace("$silo", ".*", StringComparison.Ordinal)
            .Replace("$run", ".*", StringComparison.Ordinal)
            .Replace("$scenario", ".*", StringComparison.Ordinal);

    private async Task<List<string>> SeriesAsync()
    {
        var series = new List<string>();
        foreach (var silo in stack.Silos)
        {
            var scrape = await StackFixture.GetAsync(new Uri(silo.Http, "metrics"));
            series.AddRange(scrape.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => silo.Name + " " + l[..l.LastIndexOf(' ')]));
        }

        return series;
    }

    private static void AssertUsesDatasourceVariable(JsonElement datasource, string where)
    {
        Assert.Equal("prometheus", datasource.GetProperty("type").GetString());
        Assert.True(datasource.GetProperty("uid").GetString() == "${datasource}", $"{where}: datasource uid is '{datasource.GetProperty("uid").GetString()}', not the $datasource variable");
    }

    private static async Task<string> AssertSucceedsAsync(string program, params string[] args)
    {
        var (code, output) = await RunAsync(program, null, args);
        Assert.True(code == 0, $"{program} {string.Join(' ', args)} exited {code}:\n{output}");
        return output;
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"\s*(==|!=|>=|<=|>|<)\s*[0-9.]+\s*$")]
    private static partial Regex Threshold();

    [GeneratedRegex(@"^(# (HELP|TYPE) )?grainpool_")]
    private static partial Regex OwnFamily();

    [GeneratedRegex(@"- record:\s*(?<name>\S+)\s+expr:\s*(\|\n(?<expr>(\s{10,}.*\n?)+)|(?<expr>.*))")]
    private static partial Regex RuleBlock();

    [GeneratedRegex(@"(?<name>grainpool:[a-zA-Z0-9_:]+)(\{[^}]*\})?")]
    private static partial Regex RecordedSeries();

    [GeneratedRegex(@"record:\s*(?<name>\S+)")]
    private static partial Regex RecordName();

    [GeneratedRegex(@"expr:\s*(?<expr>(\|\n(\s{10,}.*\n?)+|.*))")]
    private static partial Regex ExprLines();

    // Metric names in PromQL: ours, Orleans', .NET's, and Prometheus' up (not label values, which sit in quotes).
    [GeneratedRegex(@"(?<![a-zA-Z0-9_:""])(grainpool[a-zA-Z0-9_:]*|orleans_[a-zA-Z0-9_]+|dotnet_[a-zA-Z0-9_]+|up(?=\{))")]
    private static partial Regex MetricName();
}
