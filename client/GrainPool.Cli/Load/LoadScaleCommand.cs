using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Hosting.Launching;
using GrainPool.Load;

namespace GrainPool.Cli.Load;

/// <summary>One configuration of the scaling run: in-process threads (<see cref="Silos"/> 0) or silo processes on <see cref="Cores"/> CPUs.</summary>
/// <param name="Silos">Silo processes, or 0 for threads of this process.</param>
/// <param name="Cores">Threads, or the CPUs the silos are pinned to (shared out evenly).</param>
internal sealed record ScalePoint(int Silos, int Cores)
{
    /// <summary>How tables and charts name it.</summary>
    public string Label => Silos == 0
        ? $"in-process, {Cores} {(Cores == 1 ? "thread" : "threads")}"
        : $"{Silos} {(Silos == 1 ? "silo" : "silos")} x {Cores / Silos} {(Cores / Silos == 1 ? "core" : "cores")}";

    /// <summary>
    /// The configurations for up to <paramref name="cores"/> cores and <paramref name="maxSilos"/> silos: core counts
    /// 1, 2, 4, ... and <paramref name="cores"/> itself; in-process threads at each; s = 1, 2, 4, ... silos at each core
    /// count that s divides. On 2 cores: threads 1 and 2, 1 silo x 1 core, 1 silo x 2 cores, 2 silos x 1 core.
    /// </summary>
    public static IReadOnlyList<ScalePoint> Plan(int cores, int maxSilos)
    {
        var counts = new SortedSet<int> { cores };
        for (var c = 1; c < cores; c *= 2)
        {
            counts.Add(c);
        }

        var points = counts.Select(c => new ScalePoint(0, c)).ToList();
        for (var s = 1; s <= maxSilos; s *= 2)
        {
            points.AddRange(counts.Where(c => c >= s && c % s == 0).Select(c => new ScalePoint(s, c)));
        }

        return points;
    }
}

/// <summary>
/// <c>grainpool load scale</c>: the same saturation scenario on 1..C cores as in-process threads (the reference) and as
/// 1..S silo processes pinned to that many CPUs, each point a closed run after a warm-up; a table and charts of
/// throughput, speedup over one in-process thread (the ideal line dashed) and efficiency.
/// </summary>
internal static class LoadScaleCommand
{
    private static readonly Option<string> ScenarioName = CliOptions.Text(
        "--scenario", "NAME", $"{GrainPoolScenarios.Count}, {GrainPoolScenarios.SqrtSum} or {GrainPoolScenarios.Map}; default {GrainPoolScenarios.Count}");

    private static readonly Option<ulong> Cores = CliOptions.Number("--cores", "C", $"The most cores to use; default every CPU this process may use ({CpuAffinity.AvailableCpus().Count} here)");
    private static readonly Option<ulong> MaxSilos = CliOptions.Number("--max-silos", "S", "The most silo processes: 1, 2, 4, ... up to S; default the smaller of C and 4");
    private static readonly Option<ulong> Copies = CliOptions.Number("--copies", "K", "Jobs kept running at once at each point (closed model); default 2, so no worker idles between jobs");

    /// <summary>The command as the command line and help see it.</summary>
    public static DetailedCommand Definition { get; } = CreateDefinition();

    /// <summary>Reads the command's options.</summary>
    /// <exception cref="UsageException">An option is wrong; the message names it and its value.</exception>
    public static Settings Parse(ParseResult parse)
    {
        var name = parse.GetValue(ScenarioName) ?? GrainPoolScenarios.Count;
        if (name is not (GrainPoolScenarios.Count or GrainPoolScenarios.SqrtSum or GrainPoolScenarios.Map))
        {
            throw UsageException.ForValue(ScenarioName.Name, name,
                $"is not a saturation scenario; use {GrainPoolScenarios.Count}, {GrainPoolScenarios.SqrtSum} or {GrainPoolScenarios.Map}");
        }

        var available = CpuAffinity.IsSupported ? CpuAffinity.AvailableCpus() : [.. Enumerable.Range(0, Environment.ProcessorCount)];
        var cores = LoadOptions.Count(parse, Cores, available.Count) ?? available.Count;
        var maxSilos = LoadOptions.Count(parse, MaxSilos, Math.Min(cores, GlobalOptions.MaxSilos)) ?? Math.Min(cores, 4);
        return new Settings(
            name,
            LoadOptions.Sizes(parse, ScenarioSizes.Saturation),
            [.. available.Take(cores)],
            maxSilos,
            LoadOptions.Count(parse, Copies, LoadRunCommand.MaxCopies) ?? 2,
            LoadOptions.Time(parse, LoadOptions.Duration, TimeSpan.FromSeconds(10)),
            LoadOptions.Time(parse, LoadOptions.WarmUp, TimeSpan.FromSeconds(2), zeroAllowed: true),
            parse.Given(LoadOptions.Seed) ? parse.GetValue(LoadOptions.Seed) : 1UL,
            LoadOptions.Reports(parse, null, name + "-scale"));
    }

    /// <summary>Runs every point of the plan, prints the table and writes the reports; 0 unless an iteration failed.</summary>
    public static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter? live, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.Now;
        var plan = ScalePoint.Plan(settings.Cpus.Count, settings.MaxSilos);
        var work = GrainPoolScenarios.WorkPerIteration(settings.Scenario, settings.Sizes);
        var measured = new List<(ScalePoint Point, TimeSpan Start, LoadResult Result)>();
        foreach (var point in plan)
        {
            live?.WriteLine($"{point.Label}: starting");
            var clock = Stopwatch.StartNew();
            await using IJobRunner runner = point.Silos == 0
                ? new InProcessJobRunner(point.Cores)
                : ClusterJobRunner.Over(
                    await ClusterSession.StartSilosAsync(point.Silos, point.Cores / point.Silos, null, null, cancellationToken, [.. settings.Cpus.Take(point.Cores)]),
                    null);
            var start = clock.Elapsed;
            var scenario = GrainPoolScenarios.Create(settings.Scenario, runner, settings.Sizes, settings.Seed)
                .WithLoadSimulations(LoadSimulation.KeepConstant(settings.Copies, settings.Duration))
                .WithWarmUpDuration(settings.WarmUp);
            var result = (await LoadRunner.RunAsync([scenario], LoadSession.Options(settings.Reports.Interval, live, point.Label + " "), cancellationToken))[0];
            measured.Add((point, start, result with { Stats = result.Stats with { Name = $"{settings.Scenario}, {point.Label}" } }));
        }

        var sections = Sections(settings, work, measured);
        var configuration = LoadSession.ConfigurationJson(json =>
        {
            json.WriteString("command", "grainpool load scale");
            json.WriteString("scenario", settings.Scenario);
            json.WriteString("iteration", GrainPoolScenarios.Describe(settings.Scenario, settings.Sizes));
            json.WriteNumber("cores", settings.Cpus.Count);
            json.WriteNumber("maxSilos", settings.MaxSilos);
            json.WriteNumber("copies", settings.Copies);
            json.WriteNumber("secondsPerPoint", settings.Duration.TotalSeconds);
            json.WriteNumber("warmUpSeconds", settings.WarmUp.TotalSeconds);
            json.WriteNumber("processorCount", Environment.ProcessorCount);
        });
        var files = LoadReportFiles.Write(settings.Reports, $"GrainPool scaling run: {settings.Scenario}", startedAt, [.. measured.Select(m => m.Result)], configuration, sections);

        LoadReportFiles.WriteSection(output, sections[0]);
        output.WriteLine();
        output.WriteLine($"Reports: {string.Join(", ", files)}");
        var failed = measured.Sum(m => m.Result.Stats.Fail.Count);
        if (failed > 0)
        {
            output.Flush();
            throw new CliFailureException($"{failed} iterations failed (wrong or missing answers); see the reports");
        }

        return ExitCodes.Success;
    }

    private static IReadOnlyList<ReportSection> Sections(Settings settings, double work, IReadOnlyList<(ScalePoint Point, TimeSpan Start, LoadResult Result)> measured)
    {
        static string N(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);
        double Throughput(LoadResult r) => r.Stats.Ok.Rps * work;
        var reference = measured.FirstOrDefault(m => m.Point == new ScalePoint(0, 1)).Result is { } one && Throughput(one) > 0 ? Throughput(one) : double.NaN;
        var rows = measured.Select(m =>
        {
            var speedup = Throughput(m.Result) / reference;
            return (IReadOnlyList<string>)
            [
                m.Point.Label, m.Point.Silos.ToString(CultureInfo.InvariantCulture), m.Point.Cores.ToString(CultureInfo.InvariantCulture),
                N(Throughput(m.Result), "0.###e0"), N(speedup, "0.00"), N(speedup / m.Point.Cores, "0.00"),
                N(m.Result.Stats.Ok.Latency.P50), m.Result.Stats.Ok.Count.ToString(CultureInfo.InvariantCulture),
                m.Result.Stats.Fail.Count.ToString(CultureInfo.InvariantCulture), N(m.Start.TotalSeconds, "0.00"),
            ];
        }).ToList();

        var groups = measured.GroupBy(m => m.Point.Silos).OrderBy(g => g.Key).ToList();
        ChartSeries Line(IGrouping<int, (ScalePoint Point, TimeSpan Start, LoadResult Result)> g, Func<LoadResult, double> y) =>
            new(g.Key == 0 ? "in-process threads" : $"{g.Key} {(g.Key == 1 ? "silo" : "silos")}", [.. g.Select(m => new ChartPoint(m.Point.Cores, y(m.Result)))]);
        var maxCores = settings.Cpus.Count;
        var unit = settings.Scenario == GrainPoolScenarios.Map ? "items/s" : "numbers/s";
        return
        [
            new ReportSection("Scaling")
            {
                Text = $"{GrainPoolScenarios.Describe(settings.Scenario, settings.Sizes)}, {settings.Copies} jobs at once, {TextFormat.Duration(settings.Duration)} per point after " +
                    $"{TextFormat.Duration(settings.WarmUp)} of warm-up; speedup over one in-process thread; efficiency = speedup / cores; start = time to a ready runner " +
                    $"(silo processes started and joined). Machine: {Environment.ProcessorCount} CPUs.",
                Table = new ReportTable(["configuration", "silos", "cores", $"throughput ({unit})", "speedup", "efficiency", "p50 ms", "jobs", "failed", "start s"], rows),
                Chart = new LineChart("Speedup against cores", "cores", "speedup over 1 in-process thread",
                [
                    .. groups.Select(g => Line(g, r => Throughput(r) / reference)),
                    new ChartSeries("ideal", [.. Enumerable.Range(1, maxCores).Select(c => new ChartPoint(c, c))], Dashed: true),
                ]),
            },
            new ReportSection("Throughput")
            {
                Chart = new LineChart("Throughput against cores", "cores", unit, [.. groups.Select(g => Line(g, Throughput))]),
            },
        ];
    }

    private static DetailedCommand CreateDefinition()
    {
        var command = new DetailedCommand(
            "scale",
            "The scaling run: throughput and speedup over 1..C cores, in-process and on 1..S silos",
            "Runs the same saturation scenario (closed, K jobs at once) on in-process threads 1, 2, 4, ... C (the reference) and on\n" +
            "s = 1, 2, 4, ... S silo processes pinned to c CPUs for each core count c that s divides, one point after the other, each\n" +
            "after its warm-up. Prints throughput, speedup over one in-process thread and efficiency; the report folder has the\n" +
            "table and the speedup and throughput plots (one line per silo count, the ideal line dashed). On 2 cores: 1 and 2\n" +
            "threads, 1 silo x 1 core, 1 silo x 2 cores, 2 silos x 1 core. Every answer is checked against a published value.",
            ["load scale", "load scale --scenario sqrt-sum --duration 20s --report-folder ./scale"],
            numbers: true);
        foreach (var symbol in (IEnumerable<Symbol>)[ScenarioName, Cores, MaxSilos, Copies, .. LoadOptions.Common])
        {
            command.Add((Option)symbol);
        }

        return command;
    }

    /// <summary>The scaling run's settings.</summary>
    internal sealed record Settings(
        string Scenario, ScenarioSizes Sizes, IReadOnlyList<int> Cpus, int MaxSilos, int Copies, TimeSpan Duration, TimeSpan WarmUp, ulong Seed, ReportSettings Reports);
}
