using System.CommandLine;
using System.Text.Json;
using GrainPool.Abstractions;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary>
/// <c>sqrt-sum</c>: the tutorial's <c>compute(n) = sum(math.sqrt(i) for i in range(n))</c>, over range(from, n) and
/// correctly rounded, run <c>--repeat</c> times as the tutorial's <c>ProcessPoolExecutor.map(compute, [n] * R)</c>.
/// </summary>
internal sealed class SqrtSumCommand(ulong from, ulong n, int repeat, ulong? chunkSize) : ICliCommand
{
    /// <summary>The most jobs <c>--repeat</c> accepts.</summary>
    public const int MaxRepeat = 1_000_000;

    private static readonly Option<ulong> N = CliOptions.Number("--n", "N", "End of the range, excluded (required)", required: true);
    private static readonly Option<ulong> From = CliOptions.Number("--from", "A", "Start of the range, included (default 0)");
    private static readonly Option<ulong> Repeat = CliOptions.Number("--repeat", "R", $"Number of independent jobs, 1 to {MaxRepeat} (default 1)");

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "sqrt-sum",
        "Sum of sqrt(i) for i in range(FROM, N), correctly rounded",
        "S = sum of sqrt(i) for i in range(A, N) (A included, N excluded), added exactly and rounded once to the nearest\n" +
        $"double (what Python's math.fsum gives). N is at most {SqrtSum.MaxExclusive} (2^50). --repeat R runs R independent\n" +
        "jobs, the tutorial's ProcessPoolExecutor.map(compute, [N] * R), and prints the first result.",
        [N, From, Repeat],
        ["sqrt-sum --n 1_000_000 --repeat 8", "sqrt-sum --n 1e8 --json"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var results = new double[repeat];
        var width = (UInt128)(n - from);
        for (var job = 0; job < repeat; job++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (width == 0)
            {
                continue; // the empty sum; the runner takes non-empty ranges only
            }

            var jobProgress = progress is null ? null : new OffsetProgress(progress, width * (uint)job, width * (uint)repeat);
            var partial = await runner.RunRangeAsync(BuiltInKernels.SqrtSum, from, n - 1, chunkSize, jobProgress, cancellationToken);
            results[job] = partial.ToDouble();
        }

        return new Outcome(from, n, results);
    }

    private static SqrtSumCommand Bind(ParseResult parse, GlobalOptions global)
    {
        var n = parse.GetValue(N);
        var from = parse.GetValue(From);
        var repeat = parse.Given(Repeat) ? parse.GetValue(Repeat) : 1;
        if (n > SqrtSum.MaxExclusive)
        {
            throw UsageException.ForValue(N.Name, parse.Typed(N)!, $"is larger than {SqrtSum.MaxExclusive} (2^50), the most sqrt-sum takes");
        }

        if (from > n)
        {
            throw UsageException.ForValue(From.Name, parse.Shown(From, 0), $"is larger than --n '{parse.Typed(N)}'");
        }

        if (repeat < 1)
        {
            throw UsageException.ForValue(Repeat.Name, parse.Shown(Repeat, 1), "must be at least 1");
        }

        if (repeat > MaxRepeat)
        {
            throw UsageException.ForValue(Repeat.Name, parse.Shown(Repeat, 1), $"is larger than {MaxRepeat}");
        }

        global.EnsureChunkCountFits(n - from);
        return new SqrtSumCommand(from, n, (int)repeat, global.ChunkSize);
    }

    private sealed class Outcome(ulong from, ulong n, double[] results) : ICommandOutcome
    {
        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json)
        {
            json.WriteInteger("from", from);
            json.WriteInteger("n", n);
            json.WriteInteger("repeat", (ulong)results.Length);
            json.WriteNumber("sum", results[0]);
            json.WriteDoubleArray("results", results);
        }

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            // The tutorial prints print(f"Done. First result: {results[0]:.2f}"); the full value follows it.
            text.WriteLine($"Done. First result: {TextFormat.TwoDecimals(results[0])}");
            text.WriteLine($"Full value (correctly rounded, round-trip): {TextFormat.RoundTrip(results[0])}");
            var allEqual = results.All(r => BitConverter.DoubleToInt64Bits(r) == BitConverter.DoubleToInt64Bits(results[0]));
            var jobs = results.Length == 1 ? "1 job" : $"{results.Length} jobs, " + (allEqual ? "all results equal" : "results DIFFER");
            TextFormat.WriteTiming(text, summary, jobs);
        }
    }
}
