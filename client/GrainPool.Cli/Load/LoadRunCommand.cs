using System.CommandLine;
using System.Text.Json;
using GrainPool.Cli.Commands;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Load;
using GrainPool.Load.Config;
using GrainPool.Load.Metrics;

namespace GrainPool.Cli.Load;

/// <summary>
/// <c>grainpool load run</c>: one or more of GrainPool's load scenarios (<see cref="GrainPoolScenarios"/>) at once, on the
/// runner the global options choose, with live interval lines, a report folder, and thresholds that set the exit code.
/// </summary>
internal sealed class LoadRunCommand(
    IReadOnlyList<string> names, Func<IJobRunner, IReadOnlyList<Scenario>> build, ReportSettings reports, string? configText, bool metricsServed, string? testName)
    : ILiveCommand
{
    private static readonly Option<string> ScenarioNames = CliOptions.Text(
        "--scenario", "NAME", $"{string.Join(", ", GrainPoolScenarios.Names)} or {GrainPoolScenarios.Mix} ({string.Join(" + ", GrainPoolScenarios.MixNames)}); several comma-separated run at once; default {GrainPoolScenarios.IsPrime}");

    private static readonly Option<string> Rate = CliOptions.Text("--rate", "R", "Open model: R iterations per second, evenly spaced, for --duration (decimals allowed: 0.5)");
    private static readonly Option<ulong> Copies = CliOptions.Number("--copies", "C", "Closed model: C copies each running iterations back to back for --duration");
    private static readonly Option<string> Config = CliOptions.Text("--config", "FILE", "A scenario file in NBomber's JSON layout (load simulations, warm-up, thresholds, report settings)");

    /// <summary>The most copies <c>--copies</c> takes.</summary>
    public const int MaxCopies = 10_000;

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "load run",
        "Run load scenarios against GrainPool and write a report folder",
        "Runs GrainPool's load scenarios as NBomber runs scenarios: is-prime (one 64-bit value per call: latency under open load),\n" +
        "map (Pool.map of is_prime over 1..M: per-item throughput), count (a sieve count over [0, B]) and sqrt-sum (range jobs\n" +
        "to saturation). Every answer is checked against a published value. Latency counts from each iteration's planned start\n" +
        "(coordinated omission corrected); the raw service time is reported beside it. A line per reporting interval goes to\n" +
        "standard error; the report (TXT, Markdown, CSV and a self-contained HTML page with charts) goes to --report-folder.\n" +
        $"A failed --threshold exits {ExitCodes.ThresholdsFailed}. --config takes NBomber's JSON layout (GlobalSettings.ScenariosSettings with\n" +
        "ScenarioName, WarmUpDuration, LoadSimulationsSettings, Thresholds; ReportFolder, ReportFormats, ReportingInterval).\n" +
        "--metrics-port P serves each interval's statistics (grainpool_load_*) for Prometheus and the load test dashboard.",
        [ScenarioNames, Rate, Copies, LoadOptions.Thresholds, LoadOptions.AbortOnThreshold, Config, .. LoadOptions.Common],
        [
            "load run --rate 200 --duration 30s --threshold 'p99 < 50 ms'",
            "load run --rate 5000 --duration 60s --threshold 'fail% < 1' --abort-on-threshold",
            "load run --scenario count --copies 2 --silos 2",
            "load run --scenario mix --duration 20s --report-folder ./reports",
            "load run --config scenario.json",
        ],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunLiveAsync(IJobRunner runner, TextWriter? live, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.Now;
        var scenarios = build(runner);
        var configuration = LoadSession.ConfigurationJson(json =>
        {
            json.WriteString("command", "grainpool " + Name);
            json.WriteString("mode", runner.Mode);
            json.WriteNumber("workers", runner.Workers);
            json.WriteNumber("silos", runner.Silos);
            json.WriteNumber("reportingIntervalSeconds", reports.Interval.TotalSeconds);
            json.WriteStartArray("scenarios");
            foreach (var scenario in scenarios)
            {
                LoadSession.WriteScenario(json, scenario, scenario.Name);
            }

            json.WriteEndArray();
            if (configText is not null)
            {
                // The file as given (its comments dropped), readable in the reports rather than as one escaped string.
                using var file = JsonDocument.Parse(configText, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                json.WritePropertyName("configFile");
                file.RootElement.WriteTo(json);
            }
        });
        using var metrics = metricsServed
            ? new LoadMetrics(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(reports.Folder))) is { Length: > 0 } run ? run : "load")
            : null;
        var results = await LoadRunner.RunAsync(scenarios, LoadSession.Options(reports.Interval, live, metrics: metrics), cancellationToken);
        var files = LoadReportFiles.Write(reports, testName ?? $"GrainPool load test: {string.Join(", ", names)}", startedAt, results, configuration, []);
        return new Outcome(results, files);
    }

    private static LoadRunCommand Bind(ParseResult parse, GlobalOptions global)
    {
        var config = LoadOptions.ReadConfig(parse, Config);
        var names = ReadNames(parse, config);
        var rate = LoadOptions.Rate(parse, Rate);
        var copies = LoadOptions.Count(parse, Copies, MaxCopies);
        if (rate is not null && copies is not null)
        {
            throw new UsageException($"--rate and --copies: give at most one; --rate R runs an open load of R per second, --copies C a closed one of C copies");
        }

        var duration = LoadOptions.Time(parse, LoadOptions.Duration, TimeSpan.FromSeconds(10));
        var warmUp = LoadOptions.Time(parse, LoadOptions.WarmUp, TimeSpan.FromSeconds(2), zeroAllowed: true);
        var thresholds = LoadOptions.ReadThresholds(parse);
        var sizes = LoadOptions.Sizes(parse);
        var seed = parse.Given(LoadOptions.Seed) ? parse.GetValue(LoadOptions.Seed) : 1UL;
        var reports = LoadOptions.Reports(parse, config, string.Join("+", names));

        var fileSetsLoad = names.Any(n => config?.For(n)?.LoadSimulations is not null);
        if (fileSetsLoad && parse.Given(LoadOptions.Duration) && rate is null && copies is null)
        {
            throw new UsageException(
                $"{LoadOptions.Duration.Name}: the config file's LoadSimulationsSettings set the load and its times; give --rate or --copies with --duration to replace them");
        }

        var abort = parse.GetValue(LoadOptions.AbortOnThreshold);
        if (abort && thresholds is null && !names.Any(n => config?.For(n)?.Thresholds is { Count: > 0 }))
        {
            throw new UsageException($"{LoadOptions.AbortOnThreshold.Name}: there is no --threshold (or config file threshold) to abort on");
        }

        // Defaults, then the config file's settings, then what the command line gives explicitly: the command line wins.
        IReadOnlyList<Scenario> Build(IJobRunner runner) => [.. names.Select(name =>
        {
            var scenario = GrainPoolScenarios.Create(name, runner, sizes, seed)
                .WithLoadSimulations(GrainPoolScenarios.DefaultLoad(name, duration))
                .WithWarmUpDuration(warmUp);
            scenario = config?.For(name)?.ApplyTo(scenario) ?? scenario;
            if (rate is { } r)
            {
                scenario = scenario.WithLoadSimulations(LoadSimulation.Inject(r, TimeSpan.FromSeconds(1), duration));
            }
            else if (copies is { } c)
            {
                scenario = scenario.WithLoadSimulations(LoadSimulation.KeepConstant(c, duration));
            }

            if (parse.Given(LoadOptions.WarmUp))
            {
                scenario = scenario.WithWarmUpDuration(warmUp);
            }

            scenario = thresholds is null ? scenario : scenario.WithThresholds([.. thresholds]);
            return abort ? scenario.WithThresholds([.. scenario.Thresholds.Select(t => t.AbortWhenFailed())]) : scenario;
        })];

        return new LoadRunCommand(names, Build, reports, config?.Text, global.MetricsPort is not null, config?.TestName);
    }

    private static IReadOnlyList<string> ReadNames(ParseResult parse, LoadConfig? config)
    {
        IEnumerable<string> requested = parse.GetValue(ScenarioNames) is { } text
            ? text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : config?.TargetScenarios ?? (config is { Scenarios.Count: > 0 } ? config.Scenarios.Select(s => s.ScenarioName) : [GrainPoolScenarios.IsPrime]);
        var names = new List<string>();
        foreach (var name in requested)
        {
            var expanded = name == GrainPoolScenarios.Mix ? GrainPoolScenarios.MixNames
                : GrainPoolScenarios.Names.Contains(name) ? [name]
                : throw UsageException.ForValue(parse.Given(ScenarioNames) ? ScenarioNames.Name : Config.Name, name,
                    $"is not a scenario; the scenarios are {string.Join(", ", GrainPoolScenarios.Names)} and {GrainPoolScenarios.Mix}");
            names.AddRange(expanded.Where(n => !names.Contains(n)));
        }

        if (names.Count == 0)
        {
            throw UsageException.ForValue(ScenarioNames.Name, parse.GetValue(ScenarioNames) ?? "", "names no scenario");
        }

        if (config is not null && config.Scenarios.FirstOrDefault(s => !GrainPoolScenarios.Names.Contains(s.ScenarioName)) is { } unknown)
        {
            throw UsageException.ForValue(Config.Name, unknown.ScenarioName,
                $"is not a scenario (ScenariosSettings.ScenarioName); the scenarios are {string.Join(", ", GrainPoolScenarios.Names)}");
        }

        return names;
    }

    private sealed class Outcome(IReadOnlyList<LoadResult> results, IReadOnlyList<string> files) : ICommandOutcome
    {
        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json) => LoadOutcomeJson.Write(json, results, files);

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            foreach (var result in results)
            {
                text.Write(TextReport.Render(result));
                text.WriteLine();
            }

            text.WriteLine($"Reports: {string.Join(", ", files)}");
            TextFormat.WriteTiming(text, summary, "load test");
        }

        /// <inheritdoc />
        public string? Failure => LoadOutcomeJson.FailedThresholds(results);

        /// <inheritdoc />
        public int FailureExitCode => ExitCodes.ThresholdsFailed;
    }
}
