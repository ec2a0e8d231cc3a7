using System.CommandLine;
using System.Text.Json;
using GrainPool.Abstractions;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary><c>square-sum</c>: the tutorial's <c>heavy_task</c>, <c>sum(i**2 for i in range(from, n))</c>, exact in 128 bits.</summary>
internal sealed class SquareSumCommand(ulong from, ulong n, ulong? chunkSize) : ICliCommand
{
    private static readonly Option<ulong> N = CliOptions.Number("--n", "N", "End of the range, excluded (required)", required: true);
    private static readonly Option<ulong> From = CliOptions.Number("--from", "A", "Start of the range, included (default 0)");

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "square-sum",
        "Sum of i*i for i in range(FROM, N), exact",
        "The sum of i*i for i in range(A, N) (A included, N excluded), exact in 128 bits: the tutorial's heavy_task.\n" +
        $"N is at most {SquareSum.MaxExclusive} (10^13), where the sum still fits 128 bits.",
        [N, From],
        ["square-sum --n 10_000_000", "square-sum --from 1e12 --n 2e12 --json"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var sum = n == from
            ? UInt128.Zero // the empty sum; the runner takes non-empty ranges only
            : await runner.RunRangeAsync(BuiltInKernels.SquareSum, from, n - 1, chunkSize, progress, cancellationToken);
        return new Outcome(from, n, sum);
    }

    private static SquareSumCommand Bind(ParseResult parse, GlobalOptions global)
    {
        var n = parse.GetValue(N);
        var from = parse.GetValue(From);
        if (n > SquareSum.MaxExclusive)
        {
            throw UsageException.ForValue(N.Name, parse.Typed(N)!, $"is larger than {SquareSum.MaxExclusive} (10^13), the most square-sum takes");
        }

        if (from > n)
        {
            throw UsageException.ForValue(From.Name, parse.Shown(From, 0), $"is larger than --n '{parse.Typed(N)}'");
        }

        global.EnsureChunkCountFits(n - from);
        return new SquareSumCommand(from, n, global.ChunkSize);
    }

    private sealed class Outcome(ulong from, ulong n, UInt128 sum) : ICommandOutcome
    {
        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json)
        {
            json.WriteInteger("from", from);
            json.WriteInteger("n", n);
            json.WriteInteger("sum", sum);
        }

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            // The tutorial prints print(f"[{name}] done. sum={total}").
            text.WriteLine($"Done. sum={TextFormat.Plain(sum)}");
            TextFormat.WriteTiming(text, summary);
        }
    }
}
