using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GrainPool.Cli.Commands;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Load;

namespace GrainPool.Cli.Load;

/// <summary>
/// <c>grainpool load latency</c>: latency under load. A closed run measures the scenario's capacity (iterations per
/// second with C copies busy), then open runs at given fractions of it (default 50%, 80% and 95%) report p50, p99 and
/// p99.9 of the latency from each iteration's planned start.
/// </summary>
internal sealed class LoadLatencyCommand(
    string scenarioName, ScenarioSizes sizes, ulong seed, int copies, TimeSpan capacityDuration, TimeSpan duration, TimeSpan warmUp,
    IReadOnlyList<double> levels, ReportSettings reports) : ILiveCommand
{
    private static readonly Option<string> ScenarioName = CliOptions.Text("--scenario", "NAME", $"{string.Join(", ", GrainPoolScenarios.Names)}; default {GrainPoolScenarios.IsPrime}");
    private static readonly Option<ulong> Copies = CliOptions.Number("--copies", "C", "Copies of the closed run that measures the capacity; default 4 per worker");
    private static readonly Option<string> CapacityDuration = CliOptions.Text("--capacity-duration", "TIME", "How long the closed run lasts; default 10s");
    private static readonly Option<string> Levels = CliOptions.Text("--levels", "LIST", "Loads to run, in percent of the capacity, comma-separated; default 50,80,95");

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "load latency",
        "Latency at 50%, 80% and 95% of the capacity a closed run measured first",
        "Measures a scenario's capacity with a closed run (C copies each starting the next iteration when the last ends),\n" +
        "then runs it open (evenly spaced arrivals) at each level's share of that capacity for --duration, and reports the\n" +
        "latency from each iteration's planned start (coordinated omission corrected) at each level: p50, p99, p99.9, max,\n" +
        "late starts and failures. The report folder has every run's report and the latency-against-load chart.",
        [ScenarioName, Copies, CapacityDuration, Levels, .. LoadOptions.Common],
        ["load latency", "load latency --silos 2 --duration 20s --levels 25,50,75,90"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunLiveAsync(IJobRunner runner, TextWriter? live, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.Now;
        var closedCopies = copies > 0 ? copies : 4 * Math.Max(1, runner.Workers);
        var capacityScenario = GrainPoolScenarios.Create(scenarioName, runner, sizes, seed)
            .WithLoadSimulations(LoadSimulation.KeepConstant(closedCopies, capacityDuration))
            .WithWarmUpDuration(warmUp);
        var options = LoadSession.Options(reports.Interval, live, "capacity ");
        var capacityRun = (await LoadRunner.RunAsync([capacityScenario], options, cancellationToken))[0];
        var capacity = capacityRun.Stats.Ok.Rps;
        if (capacity <= 0)
        {
            throw new CliFailureException($"the closed run of {scenarioName} completed no iteration in {TextFormat.Duration(capacityDuration)}; no capacity to load");
        }

        live?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"capacity: {capacity:0.##} iterations/s with {closedCopies} copies"));
        var runs = new List<(double Level, double Rate, LoadResult Result)>();
        foreach (var level in levels)
        {
            var rate = capacity * level / 100;
            var scenario = GrainPoolScenarios.Create(scenarioName, runner, sizes, seed)
                .WithLoadSimulations(LoadSimulation.Inject(rate, TimeSpan.FromSeconds(1), duration));
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{level:0.#}% ");
            var result = (await LoadRunner.RunAsync([scenario], LoadSession.Options(reports.Interval, live, prefix), cancellationToken))[0];
            runs.Add((level, rate, result));
        }

        var section = Section(scenarioName, closedCopies, capacity, runs);
        var configuration = LoadSession.ConfigurationJson(json =>
        {
            json.WriteString("command", "grainpool " + Name);
            json.WriteString("mode", runner.Mode);
            json.WriteNumber("workers", runner.Workers);
            json.WriteNumber("silos", runner.Silos);
            json.WriteString("scenario", scenarioName);
            json.WriteString("iteration", GrainPoolScenarios.Describe(scenarioName, sizes));
            json.WriteNumber("capacityCopies", closedCopies);
            json.WriteNumber("capacitySeconds", capacityDuration.TotalSeconds);
            json.WriteNumber("secondsPerLevel", duration.TotalSeconds);
            json.WriteStartArray("levelsPercent");
            foreach (var level in levels)
            {
                json.WriteNumberValue(level);
            }

            json.WriteEndArray();
        });

        // Each run is its own scenario in the reports, named after its load.
        var results = runs.Select(r => Renamed(r.Result, string.Create(CultureInfo.InvariantCulture, $"{scenarioName} at {r.Level:0.#}%")))
            .Prepend(Renamed(capacityRun, $"{scenarioName} capacity")).ToList();
        var files = LoadReportFiles.Write(reports, $"GrainPool latency under load: {scenarioName}", startedAt, results, configuration, [section]);
        return new Outcome(section, capacity, runs, files);
    }

    private static LoadResult Renamed(LoadResult result, string name) => result with { Stats = result.Stats with { Name = name } };

    private static ReportSection Section(string scenario, int copies, double capacity, IReadOnlyList<(double Level, double Rate, LoadResult Result)> runs)
    {
        static string N(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
        var rows = runs.Select(r => (IReadOnlyList<string>)
        [
            N(r.Level), N(r.Rate), N(r.Result.Stats.Ok.Rps), N(r.Result.Stats.Ok.Latency.P50), N(r.Result.Stats.Ok.Latency.P99),
            N(r.Result.Stats.Ok.Latency.P999), N(r.Result.Stats.Ok.Latency.Max), r.Result.Stats.LateCount.ToString(CultureInfo.InvariantCulture),
            r.Result.Stats.Fail.Count.ToString(CultureInfo.InvariantCulture),
        ]).ToList();
        ChartSeries Line(string name, Func<LatencyStats, double> pick) => new(name, [.. runs.Select(r => new ChartPoint(r.Level, pick(r.Result.Stats.Ok.Latency)))]);
        return new ReportSection("Latency under load")
        {
            Text = string.Create(CultureInfo.InvariantCulture,
                $"Capacity of {scenario}: {capacity:0.##} iterations/s, measured by a closed run of {copies} copies. Each level is an open run at that share of it; latency counts from each iteration's planned start."),
            Table = new ReportTable(["load %", "planned rps", "achieved rps", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "late", "fail"], rows),
            Chart = new LineChart("Latency against load", "load (% of capacity)", "latency (ms)",
                [Line("p50", l => l.P50), Line("p99", l => l.P99), Line("p99.9", l => l.P999)]),
        };
    }

    private static LoadLatencyCommand Bind(ParseResult parse, GlobalOptions global)
    {
        var name = parse.GetValue(ScenarioName) ?? GrainPoolScenarios.IsPrime;
        if (!GrainPoolScenarios.Names.Contains(name))
        {
            throw UsageException.ForValue(ScenarioName.Name, name, $"is not a scenario; the scenarios are {string.Join(", ", GrainPoolScenarios.Names)}");
        }

        var levels = new List<double>();
        foreach (var text in (parse.GetValue(Levels) ?? "50,80,95").Split(',', StringSplitOptions.TrimEntries))
        {
            levels.Add(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var level) && level is > 0 and <= 1000
                ? level
                : throw UsageException.ForValue(Levels.Name, text, "is not a load level; give percentages above 0 and at most 1000, as in 50,80,95"));
        }

        return new LoadLatencyCommand(
            name,
            LoadOptions.Sizes(parse),
            parse.Given(LoadOptions.Seed) ? parse.GetValue(LoadOptions.Seed) : 1UL,
            LoadOptions.Count(parse, Copies, LoadRunCommand.MaxCopies) ?? 0,
            LoadOptions.Time(parse, CapacityDuration, TimeSpan.FromSeconds(10)),
            LoadOptions.Time(parse, LoadOptions.Duration, TimeSpan.FromSeconds(10)),
            LoadOptions.Time(parse, LoadOptions.WarmUp, TimeSpan.FromSeconds(2), zeroAllowed: true),
            levels,
            LoadOptions.Reports(parse, null, name + "-latency"));
    }

    private sealed class Outcome(ReportSection section, double capacity, IReadOnlyList<(double Level, double Rate, LoadResult Result)> runs, IReadOnlyList<string> files)
        : ICommandOutcome
    {
        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json)
        {
            json.WriteNumber("capacityRps", capacity);
            json.WriteStartArray("levels");
            foreach (var (level, rate, result) in runs)
            {
                json.WriteStartObject();
                json.WriteNumber("percent", level);
                json.WriteNumber("plannedRps", rate);
                json.WritePropertyName("result");
                LoadOutcomeJson.WriteScenario(json, result);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("reports");
            foreach (var file in files)
            {
                json.WriteStringValue(file);
            }

            json.WriteEndArray();
        }

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            LoadReportFiles.WriteSection(text, section);
            text.WriteLine();
            text.WriteLine($"Reports: {string.Join(", ", files)}");
            TextFormat.WriteTiming(text, summary, "latency under load");
        }
    }
}
