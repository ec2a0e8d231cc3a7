using GrainPool.Load.Config;

namespace GrainPool.Load.Tests;

/// <summary>Scenario files in NBomber's JSON layout, and thresholds written as text.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ConfigTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void An_nbomber_file_gives_every_load_simulation_warm_up_thresholds_and_report_settings()
    {
        var config = LoadConfig.Parse("""
            {
              "TestSuite": "grainpool", "TestName": "nightly", "TargetScenarios": ["is-prime"],
              "GlobalSettings": {
                "ScenariosSettings": [{
                  "ScenarioName": "is-prime",
                  "WarmUpDuration": "00:00:05",
                  "LoadSimulationsSettings": [
                    { "RampingConstant": [4, "00:00:10"] },
                    { "KeepConstant": [4, 10] },
                    { "IterationsForConstant": [2, 100] },
                    { "RampingInject": [200, "00:00:01", "00:00:10"] },
                    { "Inject": [200, "00:00:01", "00:00:30"] },
                    { "InjectRandom": [50, 150, "00:00:01", "00:00:20"] },
                    { "IterationsForInject": [0.5, "00:00:01", 7] },
                    { "Pause": "00:00:02" }
                  ],
                  "Thresholds": ["p99 < 200 ms", "fail% < 0.1"],
                  "CustomSettings": { "Seed": 7 }
                }],
                "ReportFileName": "nightly", "ReportFolder": "./reports", "ReportFormats": ["html", "Txt"],
                "ReportingInterval": "00:00:02"
              }
            }
            """);

        Assert.Equal("nightly", config.TestName);
        Assert.Equal(["is-prime"], config.TargetScenarios);
        Assert.Equal("nightly", config.ReportFileName);
        Assert.Equal("./reports", config.ReportFolder);
        Assert.Equal(["Html", "Txt"], config.ReportFormats);
        Assert.Equal(2 * Second, config.ReportingInterval);
        var scenario = Assert.Single(config.Scenarios);
        Assert.Same(scenario, config.For("is-prime"));
        Assert.Null(config.For("map"));
        Assert.Equal(5 * Second, scenario.WarmUpDuration);
        Assert.Equal(
            [
                LoadSimulation.RampingConstant(4, 10 * Second),
                LoadSimulation.KeepConstant(4, 10 * Second),
                LoadSimulation.IterationsForConstant(2, 100),
                LoadSimulation.RampingInject(200, Second, 10 * Second),
                LoadSimulation.Inject(200, Second, 30 * Second),
                LoadSimulation.InjectRandom(50, 150, Second, 20 * Second),
                LoadSimulation.IterationsForInject(0.5, Second, 7),
                LoadSimulation.Pause(2 * Second),
            ],
            scenario.LoadSimulations!);
        Assert.Equal(["p99 < 200 ms", "fail% < 0.1"], scenario.Thresholds!.Select(t => t.Name));
        Assert.Equal("""{ "Seed": 7 }""", scenario.CustomSettings);
    }

    [Fact]
    public void Settings_applied_to_a_scenario_replace_its_load_and_thresholds_and_set_its_warm_up()
    {
        var config = LoadConfig.Parse("""
            { "GlobalSettings": { "ScenariosSettings": [ { "ScenarioName": "s", "WarmUpDuration": 3,
              "LoadSimulationsSettings": [ { "Inject": [10, 1, 5] } ], "Thresholds": ["rps >= 9"] } ] } }
            """);
        var scenario = Scenario.Create("s", _ => Task.FromResult(Response.Ok()))
            .WithLoadSimulations(LoadSimulation.KeepConstant(1, Second))
            .WithThresholds(Threshold.FailPercentBelow(1));

        var applied = config.For("s")!.ApplyTo(scenario);

        Assert.Equal([LoadSimulation.Inject(10, Second, 5 * Second).ToString()], applied.LoadSimulations.Select(s => s.ToString()));
        Assert.Equal(["rps >= 9"], applied.Thresholds.Select(t => t.Name));
        Assert.Equal(3 * Second, applied.WarmUpDuration);
    }

    [Fact]
    public void A_threshold_given_as_an_object_can_abort_the_run_and_start_its_checks_later()
    {
        var config = LoadConfig.Parse("""
            { "GlobalSettings": { "ScenariosSettings": [ { "ScenarioName": "s", "Thresholds": [
              "fail% < 1",
              { "Rule": "p99 < 50 ms", "AbortWhenFailed": true, "StartCheckAfter": "00:00:05" },
              { "Rule": "rps >= 10", "AbortWhenFailed": false }
            ] } ] } }
            """);

        var thresholds = config.For("s")!.Thresholds!;

        Assert.Equal(["fail% < 1", "p99 < 50 ms", "rps >= 10"], thresholds.Select(t => t.Name));
        Assert.Equal([false, true, false], thresholds.Select(t => t.AbortsRunWhenFailed));
        Assert.Equal([TimeSpan.Zero, 5 * Second, TimeSpan.Zero], thresholds.Select(t => t.CheckStartsAfter));
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "[1]", "$: expected an object, found an array" },
        { "{ \"GlobalSetings\": {} }", "$.GlobalSetings: unknown setting" },
        { "{ \"GlobalSettings\": { \"ScenariosSettings\": [ {} ] } }", "$.GlobalSettings.ScenariosSettings[0]: ScenarioName is missing" },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"LoadSimulationsSettings\": [ { \"Inject\": [0, 1, 10] } ] } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].LoadSimulationsSettings[0].Inject: '0' is out of range"
        },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"LoadSimulationsSettings\": [ { \"KeepConstant\": [2] } ] } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].LoadSimulationsSettings[0].KeepConstant: KeepConstant takes 2 values, found 1"
        },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"LoadSimulationsSettings\": [ { \"Inject\": [5, \"soon\", 10] } ] } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].LoadSimulationsSettings[0].Inject[1]: expected a time as \"hh:mm:ss\" or a number of seconds, found \"soon\""
        },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"LoadSimulationsSettings\": [ { \"Hammer\": [5] } ] } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].LoadSimulationsSettings[0].Hammer: unknown load simulation"
        },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"Thresholds\": [\"p99 > 5\"] } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].Thresholds[0]: 'p99 > 5': a latency takes < or <="
        },
        { "{ \"GlobalSettings\": { \"ReportFormats\": [\"Pdf\"] } }", "$.GlobalSettings.ReportFormats[0]: 'Pdf' is not a report format" },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"Thresholds\": [ { \"AbortWhenFailed\": true } ] } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].Thresholds[0]: Rule is missing"
        },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"Thresholds\": [ { \"Rule\": \"fail% < 1\", \"AbortWhenFailed\": \"yes\" } ] } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].Thresholds[0].AbortWhenFailed: expected true or false, found \"yes\""
        },
        { "{ \"GlobalSettings\": { \"ReportFileName\": \"../x\" } }", "$.GlobalSettings.ReportFileName: '../x' is not a file name" },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\" }, { \"ScenarioName\": \"a\" } ] } }",
            "GlobalSettings.ScenariosSettings: scenario 'a' is given more than once"
        },
        { "{ \"GlobalSettings\": ", "not valid JSON" },
        {
            "{ \"GlobalSettings\": { \"ScenariosSettings\": [ { \"ScenarioName\": \"a\", \"WarmUpDuration\": \"30\" } ] } }",
            "$.GlobalSettings.ScenariosSettings[0].WarmUpDuration: expected a time as \"hh:mm:ss\" or a number of seconds, found \"30\""
        },
        {
            "{ \"GlobalSettings\": { \"ReportingInterval\": \"8.00:00:00\" } }",
            "$.GlobalSettings.ReportingInterval: '\"8.00:00:00\"' is out of range (0 to a week)"
        },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_file_names_the_setting_by_its_path(string json, string message)
    {
        var error = Assert.Throws<FormatException>(() => LoadConfig.Parse(json));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, bool> Thresholds => new()
    {
        // name as reported, then the result on the statistics below (ok p50 2 ms, p99 9 ms, p99.9 12 ms, mean 3 ms,
        // max 20 ms, 2% failed, 98 ok per second).
        { "p99 < 10 ms", "p99 < 10 ms", true },
        { "p99<9ms", "p99 < 9 ms", false },
        { "p99 <= 9", "p99 <= 9 ms", true },
        { "P99.9 < 0.012 s", "p99.9 < 0.012 s", false },
        { "p99.9 <= 0.012 s", "p99.9 <= 0.012 s", true },
        { "p50 < 2.5", "p50 < 2.5 ms", true },
        { "mean < 3", "mean < 3 ms", false },
        { "max < 21 ms", "max < 21 ms", true },
        { "fail% < 2", "fail% < 2", false },
        { "fail% <= 2", "fail% <= 2", true },
        { "rps >= 98", "rps >= 98", true },
        { "rps > 98", "rps > 98", false },
    };

    [Theory]
    [MemberData(nameof(Thresholds))]
    public void A_threshold_written_as_text_checks_what_it_says(string text, string name, bool passes)
    {
        var latency = new LatencyStats(Mean: 3, P50: 2, P75: 4, P95: 8, P99: 9, P999: 12, Max: 20);
        var ok = new OutcomeStats(98, 98, latency, latency, 0);
        var fail = new OutcomeStats(2, 2, latency, latency, 0);
        var stats = new ScenarioStats("s", Second, ok, fail, [], []);

        var threshold = ThresholdText.Parse(text);

        Assert.Equal(name, threshold.Name);
        Assert.Equal(passes, threshold.Check(stats));
    }

    [Theory]
    [InlineData("p99 < 10 ms", 0, 2, false)] // every iteration failed: no latency to pass
    [InlineData("p99 < 10 ms", 0, 0, true)]  // nothing ran: nothing failed
    [InlineData("mean < 1", 3, 0, false)]
    public void A_latency_threshold_fails_when_no_iteration_succeeded_but_some_failed(string text, long ok, long failed, bool passes)
    {
        var zero = new LatencyStats(0, 0, 0, 0, 0, 0, 0);
        var some = new LatencyStats(Mean: 3, P50: 2, P75: 4, P95: 8, P99: 9, P999: 12, Max: 20);
        var stats = new ScenarioStats("s", Second, new OutcomeStats(ok, ok, ok > 0 ? some : zero, zero, 0), new OutcomeStats(failed, failed, some, some, 0), [], []);

        Assert.Equal(passes, ThresholdText.Parse(text).Check(stats));
        if (ok == 0)
        {
            Assert.Equal(passes, Threshold.LatencyP99Below(TimeSpan.FromMilliseconds(10)).Check(stats));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("p99")]
    [InlineData("p99 < fast")]
    [InlineData("p99 < -1 ms")]
    [InlineData("p98 < 5 ms")]
    [InlineData("rps < 5")]
    [InlineData("fail% >= 1")]
    [InlineData("fail% < 1 ms")]
    public void Text_that_is_no_threshold_is_refused_with_the_text_quoted(string text)
    {
        var error = Assert.Throws<FormatException>(() => ThresholdText.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }
}
