using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary>
/// <c>demo</c>: the tutorial's three programs (heavy_task in two Processes, Pool.map of is_prime,
/// ProcessPoolExecutor.map of compute), each timed on one worker and on all workers of the runner, with the speedup and
/// a check of every result against an independent value (<see cref="ReferenceValues"/>).
/// </summary>
internal sealed class DemoCommand(DemoSizes sizes, ulong? rangeChunk, int? mapChunk) : ICliCommand
{
    private static readonly Option<bool> TutorialSize = CliOptions.Flag("--tutorial-size", "Run the tutorial's own inputs instead of the scaled-up ones");

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "demo",
        "The tutorial's three programs, each timed on 1 worker and on all workers",
        "Runs the multiprocessing tutorial's three programs, each first on ONE worker and then on ALL workers, prints\n" +
        "what the tutorial's programs print, and a table of both times and the speedup:\n" +
        "  heavy_task        two concurrent jobs of sum(i*i for i in range(N)), the tutorial's two Processes\n" +
        "  Pool.map          is_prime (the tutorial's trial division) over 1..M, \"Found K primes up to M\"\n" +
        "  compute           ProcessPoolExecutor.map(compute, [n] * 8): eight sqrt sums at once\n" +
        $"The tutorial's inputs (N = {TextFormat.Grouped(DemoSizes.Tutorial.HeavyN)}, M = {TextFormat.Grouped(DemoSizes.Tutorial.MapUpTo)}, n = {TextFormat.Grouped(DemoSizes.Tutorial.ComputeN)}) take milliseconds, where start-up\n" +
        $"costs hide any speedup, so by default they are scaled up to about a second of single-core work each (N = 10^9,\n" +
        "M = 10^7, n = 10^8); --tutorial-size runs the tutorial's own. Every result is checked against an independent\n" +
        "value: the closed form n(n-1)(2n-1)/6, pi(M) from OEIS A006880, S(n) from the published table. A result that\n" +
        "differs is reported and the exit code is 1.",
        [TutorialSize],
        ["demo", "demo --silos 2", "demo --tutorial-size --json", "demo --in-process"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var programs = TutorialProgram.All(sizes, rangeChunk, mapChunk);
        foreach (var program in programs)
        {
            await program.WarmUpAsync(runner, cancellationToken);
        }

        var oneWorker = runner.WithMaxWorkers(1);
        var runs = new List<ProgramRun>(programs.Count);
        foreach (var program in programs)
        {
            var clock = Stopwatch.StartNew();
            var single = await program.RunAsync(oneWorker, cancellationToken);
            var singleTime = clock.Elapsed;
            clock.Restart();
            var all = await program.RunAsync(runner, cancellationToken);
            runs.Add(new ProgramRun(program, single, singleTime, all, clock.Elapsed));
        }

        return new Outcome(sizes == DemoSizes.Tutorial, runs, new Where(runner.Mode, runner.Silos, runner.Workers));
    }

    private static DemoCommand Bind(ParseResult parse, GlobalOptions global) =>
        new(parse.GetValue(TutorialSize) ? DemoSizes.Tutorial : DemoSizes.Scaled, global.ChunkSize, global.MapChunkSize);

    /// <summary>Where the demo ran: the runner's mode, its silos and the workers one job may use.</summary>
    private sealed record Where(string Mode, int Silos, int Workers)
    {
        public override string ToString() => Silos == 0
            ? $"{Mode}: {TextFormat.Count(Workers, "thread")}, no cluster"
            : $"cluster: {Mode}, {TextFormat.Count(Silos, "silo")}, {TextFormat.Count(Workers, "worker")}";
    }

    /// <summary>A program's two timed runs.</summary>
    private sealed record ProgramRun(TutorialProgram Program, ProgramResult OneWorker, TimeSpan OneWorkerTime, ProgramResult AllWorkers, TimeSpan AllWorkersTime)
    {
        public bool Ok => OneWorker.Ok && AllWorkers.Ok;

        public double Speedup => OneWorkerTime / AllWorkersTime;

        public string CheckText => Ok
            ? "ok: " + Program.Check
            : $"FAILED: got {(OneWorker.Ok ? AllWorkers.Shown : OneWorker.Shown)}, expected {AllWorkers.Expected} ({Program.Check})";
    }

    private sealed class Outcome(bool tutorialSize, IReadOnlyList<ProgramRun> runs, Where where) : ICommandOutcome
    {
        /// <inheritdoc />
        public string? Failure => runs.FirstOrDefault(r => !r.Ok) is { } bad
            ? $"demo: {bad.Program.Id} {bad.CheckText}"
            : null;

        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json)
        {
            json.WriteBoolean("tutorialSize", tutorialSize);
            json.WriteStartArray("programs");
            foreach (var run in runs)
            {
                json.WriteStartObject();
                json.WriteString("program", run.Program.Id);
                json.WriteString("input", run.Program.Input);
                run.Program.WriteInputJson(json);
                run.AllWorkers.WriteJson(json);
                json.WriteBoolean("ok", run.Ok);
                json.WriteString("check", run.Program.Check);
                json.WriteNumber("oneWorkerMs", run.OneWorkerTime.TotalMilliseconds);
                json.WriteNumber("allWorkersMs", run.AllWorkersTime.TotalMilliseconds);
                json.WriteNumber("allWorkers", where.Workers);
                json.WriteNumber("speedup", Math.Round(run.Speedup, 3));
                json.WriteStartArray("output");
                foreach (var line in run.AllWorkers.TutorialLines)
                {
                    json.WriteStringValue(line);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            foreach (var line in runs.SelectMany(r => r.AllWorkers.TutorialLines))
            {
                text.WriteLine(line);
            }

            text.WriteLine();
            var table = PlainTable.Create(
                ["program", "input", "result", "1 worker", TextFormat.Count(where.Workers, "worker"), "speedup", "check"],
                new HashSet<int> { 3, 4, 5 });
            foreach (var run in runs)
            {
                table.AddTextRow(
                    run.Program.Title,
                    run.Program.Input,
                    run.AllWorkers.Shown,
                    TextFormat.Duration(run.OneWorkerTime),
                    TextFormat.Duration(run.AllWorkersTime),
                    run.Speedup.ToString("0.00", CultureInfo.InvariantCulture) + "x",
                    run.CheckText);
            }

            table.WriteTo(text);
            text.WriteLine();
            text.WriteLine(where.ToString());
            if (!tutorialSize)
            {
                text.WriteLine("Inputs scaled up from the tutorial's to about a second of single-core work each; --tutorial-size runs the tutorial's own.");
            }
        }
    }
}
