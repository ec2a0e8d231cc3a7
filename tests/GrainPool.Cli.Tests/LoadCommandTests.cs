using System.Text.Json;
using GrainPool.Cli.Load;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Load;

namespace GrainPool.Cli.Tests;

/// <summary>
/// <c>grainpool load run / latency / scale</c> as a user runs them (the program in its own process, in-process runner
/// where a cluster adds nothing to what is checked): exit codes, the JSON, the report folder, a config file, bad input.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class LoadCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("grainpool-load-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string[], string, string> BadValues => new()
    {
        { ["load", "run", "--rate", "0"], "--rate", "'0'" },
        { ["load", "run", "--rate", "fast"], "--rate", "'fast'" },
        { ["load", "run", "--copies", "0"], "--copies", "'0'" },
        { ["load", "run", "--duration", "0"], "--duration", "'0'" },
        { ["load", "run", "--duration", "soon"], "--duration", "'soon'" },
        { ["load", "run", "--duration", "2d"], "--duration", "'2d'" },
        { ["load", "run", "--warm-up", "-1"], "--warm-up", "'-1'" },
        { ["load", "run", "--reporting-interval", "10ms"], "--reporting-interval", "'10ms'" },
        { ["load", "run", "--threshold", "p99 < "], "--threshold", "'p99 < '" },
        { ["load", "run", "--threshold", "p42 < 5 ms"], "--threshold", "'p42 < 5 ms'" },
        { ["load", "run", "--scenario", "everything"], "--scenario", "'everything'" },
        { ["load", "run", "--report-format", "pdf"], "--report-format", "'pdf'" },
        { ["load", "run", "--config", "/no/such/scenario.json"], "--config", "'/no/such/scenario.json'" },
        { ["load", "run", "--map-items", "0"], "--map-items", "'0'" },
        { ["load", "run", "--count-to", "0"], "--count-to", "'0'" },
        { ["load", "latency", "--levels", "50,zero"], "--levels", "'zero'" },
        { ["load", "latency", "--scenario", "mix"], "--scenario", "'mix'" },
        { ["load", "scale", "--cores", "0"], "--cores", "'0'" },
        { ["load", "scale", "--cores", "100000"], "--cores", "'100000'" },
        { ["load", "scale", "--scenario", "is-prime"], "--scenario", "'is-prime'" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Bad_value_is_one_error_line_naming_option_and_value(string[] args, string option, string quotedValue) =>
        (await CliProcess.RunAsync(args)).UsageError(option, quotedValue);

    [Fact]
    public async Task Abort_without_a_threshold_is_refused() =>
        (await CliProcess.RunAsync("load", "run", "--abort-on-threshold")).UsageError("--abort-on-threshold", "no --threshold");

    [Fact]
    public async Task Abort_on_threshold_applies_to_a_config_files_thresholds_too()
    {
        var config = Path.Combine(_folder, "abort.json");
        await File.WriteAllTextAsync(config,
            """{ "GlobalSettings": { "ScenariosSettings": [ { "ScenarioName": "count", "WarmUpDuration": 0, "LoadSimulationsSettings": [ { "KeepConstant": [1, 30] } ], "Thresholds": ["p50 < 0.001 ms"] } ], "ReportingInterval": "00:00:00.5" } }""");

        var result = await CliProcess.RunAsync(
            "--in-process", "load", "run", "--config", config, "--count-to", "1e6", "--abort-on-threshold", "--report-folder", Path.Combine(_folder, "abort-file"), "--json");

        Assert.Equal(3, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        var scenario = Assert.Single(document.RootElement.GetProperty("scenarios").EnumerateArray().ToList());
        Assert.True(scenario.GetProperty("aborted").GetBoolean());
        Assert.InRange(scenario.GetProperty("durationSeconds").GetDouble(), 0.4, 10);
    }

    [Fact]
    public async Task A_duration_without_a_rate_or_copies_is_refused_when_the_config_file_sets_the_load()
    {
        var config = Path.Combine(_folder, "load.json");
        await File.WriteAllTextAsync(config,
            """{ "GlobalSettings": { "ScenariosSettings": [ { "ScenarioName": "count", "LoadSimulationsSettings": [ { "KeepConstant": [1, 5] } ] } ] } }""");

        (await CliProcess.RunAsync("load", "run", "--config", config, "--duration", "3s")).UsageError("--duration", "--rate or --copies");
    }

    [Fact]
    public async Task A_threshold_error_says_what_is_wrong_with_the_rule() =>
        (await CliProcess.RunAsync("load", "run", "--threshold", "fail% >= 1")).UsageError("--threshold", "'fail% >= 1'", "fail% takes < or <=");

    [Fact]
    public async Task A_time_past_a_day_is_said_to_be_out_of_range_not_unreadable() =>
        (await CliProcess.RunAsync("load", "run", "--duration", "100000")).UsageError("--duration", "'100000'", "at most a day");

    [Fact]
    public async Task Rate_and_copies_together_are_refused() =>
        (await CliProcess.RunAsync("load", "run", "--rate", "5", "--copies", "2")).UsageError("--rate and --copies");

    [Fact]
    public async Task Global_options_are_refused_by_the_scaling_run_which_chooses_its_own_runners() =>
        (await CliProcess.RunAsync("load", "scale", "--silos", "2")).UsageError("--silos");

    [Fact]
    public async Task A_run_reports_checked_iterations_in_json_and_writes_its_report_folder()
    {
        var reports = Path.Combine(_folder, "run");
        var json = (await CliProcess.RunAsync(
            "--in-process", "load", "run", "--scenario", "count", "--count-to", "1e7", "--copies", "1", "--duration", "1s", "--warm-up", "0",
            "--report-folder", reports, "--json")).Json();

        Assert.True(json.GetProperty("passed").GetBoolean());
        var scenario = Assert.Single(json.GetProperty("scenarios").EnumerateArray().ToList());
        Assert.Equal("count", scenario.GetProperty("name").GetString());
        // Each iteration's count was compared with pi(10^7) = 664,579 (OEIS A006880); a wrong one would be a failure.
        Assert.True(scenario.GetProperty("ok").GetInt64() >= 1);
        Assert.Equal(0, scenario.GetProperty("fail").GetInt64());
        var files = json.GetProperty("reports").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(File.Exists(f), f));
        Assert.All(files, f => Assert.StartsWith(reports, f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_threshold_exits_3_names_it_and_still_prints_the_report()
    {
        var result = await CliProcess.RunAsync(
            "--in-process", "load", "run", "--scenario", "count", "--count-to", "1e6", "--copies", "1", "--duration", "0.5s", "--warm-up", "0",
            "--threshold", "p50 < 0.001 ms", "--threshold", "fail% < 1", "--report-folder", Path.Combine(_folder, "fail"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("FAILED: p50 < 0.001 ms (first failed at ", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l == "passed: fail% < 1");
        Assert.Equal("grainpool: error: thresholds failed: count: p50 < 0.001 ms", result.StderrLines[^1]);
    }

    [Fact]
    public async Task Abort_on_threshold_stops_a_30_second_run_at_the_first_interval_whose_check_fails()
    {
        var result = await CliProcess.RunAsync(
            "--in-process", "load", "run", "--scenario", "count", "--count-to", "1e6", "--copies", "1", "--duration", "30s", "--warm-up", "0",
            "--reporting-interval", "0.5s", "--threshold", "p50 < 0.001 ms", "--abort-on-threshold", "--report-folder", Path.Combine(_folder, "abort"), "--json");

        Assert.Equal(3, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        var scenario = Assert.Single(document.RootElement.GetProperty("scenarios").EnumerateArray().ToList());
        Assert.True(scenario.GetProperty("aborted").GetBoolean());
        Assert.Contains("p50 < 0.001 ms", scenario.GetProperty("abortReason").GetString(), StringComparison.Ordinal);
        // Checked at each 0.5 s interval's end: the first check fails, so the run ends long before its 30 s.
        Assert.InRange(scenario.GetProperty("durationSeconds").GetDouble(), 0.4, 10);
        var threshold = Assert.Single(scenario.GetProperty("thresholds").EnumerateArray().ToList());
        Assert.InRange(threshold.GetProperty("failedAtSeconds").GetDouble(), 0.4, 10);
        Assert.Equal("grainpool: error: thresholds failed: count: p50 < 0.001 ms (the run was aborted)", result.StderrLines[^1]);
    }

    [Fact]
    public async Task A_config_file_in_nbomber_layout_sets_the_load_the_thresholds_and_the_report_name()
    {
        var config = Path.Combine(_folder, "scenario.json");
        var reports = Path.Combine(_folder, "from-config");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            TestName = "config test",
            GlobalSettings = new
            {
                ScenariosSettings = new object[]
                {
                    new
                    {
                        ScenarioName = "count",
                        WarmUpDuration = "00:00:00",
                        LoadSimulationsSettings = new object[] { new { IterationsForConstant = new object[] { 1, 3 } } },
                        Thresholds = new[] { "rps >= 1000000" },
                    },
                },
                ReportFileName = "nightly",
                ReportFolder = reports,
                ReportFormats = new[] { "Txt" },
            },
        }));

        var result = await CliProcess.RunAsync("--in-process", "load", "run", "--config", config, "--count-to", "1e6", "--json");

        Assert.Equal(3, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        var scenario = Assert.Single(document.RootElement.GetProperty("scenarios").EnumerateArray().ToList());
        Assert.Equal("count", scenario.GetProperty("name").GetString());
        Assert.Equal(3, scenario.GetProperty("ok").GetInt64());
        Assert.False(Assert.Single(scenario.GetProperty("thresholds").EnumerateArray().ToList()).GetProperty("passed").GetBoolean());
        Assert.Equal([Path.Combine(reports, "nightly.txt")], document.RootElement.GetProperty("reports").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("\"IterationsForConstant\"", await File.ReadAllTextAsync(Path.Combine(reports, "nightly.txt")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_config_entry_is_named_by_its_path_and_value()
    {
        var config = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(config,
            """{ "GlobalSettings": { "ScenariosSettings": [ { "ScenarioName": "count", "LoadSimulationsSettings": [ { "Inject": [0, "00:00:01", "00:00:10"] } ] } ] } }""");

        var line = (await CliProcess.RunAsync("load", "run", "--config", config)).UsageError("--config");

        Assert.Contains("GlobalSettings.ScenariosSettings[0].LoadSimulationsSettings[0].Inject", line, StringComparison.Ordinal);
        Assert.Contains("'0'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latency_runs_each_level_at_its_share_of_the_measured_capacity()
    {
        var json = (await CliProcess.RunAsync(
            "--in-process", "load", "latency", "--scenario", "count", "--count-to", "1e6", "--copies", "1", "--capacity-duration", "1s",
            "--duration", "1s", "--levels", "50", "--warm-up", "0", "--report-folder", Path.Combine(_folder, "latency"), "--json")).Json();

        var capacity = json.GetProperty("capacityRps").GetDouble();
        Assert.True(capacity > 0);
        var level = Assert.Single(json.GetProperty("levels").EnumerateArray().ToList());
        Assert.Equal(50, level.GetProperty("percent").GetDouble());
        Assert.Equal(capacity / 2, level.GetProperty("plannedRps").GetDouble(), 9);
        Assert.Equal(0, level.GetProperty("result").GetProperty("fail").GetInt64());
    }
}

/// <summary>The scaling run's plan and the scenarios' answer checks, without processes.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class LoadScenarioTests
{
    [Fact]
    public void The_plan_on_two_cores_is_the_five_points_the_issue_names()
    {
        Assert.Equal(
            [new(0, 1), new(0, 2), new(1, 1), new(1, 2), new(2, 2)],
            ScalePoint.Plan(cores: 2, maxSilos: 2));
        Assert.Equal(
            ["in-process, 1 thread", "in-process, 2 threads", "1 silo x 1 core", "1 silo x 2 cores", "2 silos x 1 core"],
            ScalePoint.Plan(2, 2).Select(p => p.Label));
    }

    [Fact]
    public void The_plan_on_sixteen_cores_makes_the_whole_curve_for_each_silo_count()
    {
        var plan = ScalePoint.Plan(cores: 16, maxSilos: 4);

        int[] counts = [1, 2, 4, 8, 16];
        Assert.Equal(counts, plan.Where(p => p.Silos == 0).Select(p => p.Cores));
        Assert.Equal(counts, plan.Where(p => p.Silos == 1).Select(p => p.Cores));
        Assert.Equal([2, 4, 8, 16], plan.Where(p => p.Silos == 2).Select(p => p.Cores));
        Assert.Equal([4, 8, 16], plan.Where(p => p.Silos == 4).Select(p => p.Cores));
        Assert.Equal([1, 2, 4, 6], ScalePoint.Plan(6, 1).Where(p => p.Silos == 1).Select(p => p.Cores));
    }

    [Theory]
    [InlineData(664_579UL, 2, 0)] // pi(10^7), OEIS A006880
    [InlineData(664_578UL, 0, 2)]
    public async Task A_prime_count_passes_only_when_it_equals_the_published_value(ulong answer, long ok, long failed)
    {
        var scenario = GrainPoolScenarios.Create(GrainPoolScenarios.Count, new AnsweringRunner(rangeAnswer: answer), ScenarioSizes.Default with { CountTo = 10_000_000 }, 1)
            .WithLoadSimulations(LoadSimulation.IterationsForConstant(1, 2));

        var result = await LoadRunner.RunAsync(scenario);

        Assert.Equal(ok, result.Stats.Ok.Count);
        Assert.Equal(failed, result.Stats.Fail.Count);
    }

    [Fact]
    public async Task An_is_prime_answer_that_contradicts_the_prime_pages_table_fails_its_iteration()
    {
        // A runner that says "prime" to everything: right for 2^64 - 59, wrong for the other 2^64 - k of the table's range.
        var scenario = GrainPoolScenarios.Create(GrainPoolScenarios.IsPrime, new AnsweringRunner(itemAnswer: true), ScenarioSizes.Default, 1)
            .WithLoadSimulations(LoadSimulation.IterationsForConstant(1, 40));

        var result = await LoadRunner.RunAsync(scenario);

        // Of 40 iterations the 20 even ones test 2^64 - k against the table; at most a few k are among its ten primes.
        Assert.InRange(result.Stats.Fail.Count, 15, 20);
        Assert.Equal(40, result.Stats.Ok.Count + result.Stats.Fail.Count);
    }
}
