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
    private const string From = "--from";
    private const string N = "--n";

    /// <summary>How the parser and help see this command.</summary>
    public static CommandDefinition Definition { get; } = new(
        "square-sum",
        "Sum of i*i for i in range(FROM, N), exact",
        "square-sum --n N [--from A] [global options]",
        "The sum of i*i for i in range(A, N) (A included, N excluded), exact in 128 bits: the tutorial's heavy_task.\n" +
        $"N is at most {SquareSum.MaxExclusive} (10^13), where the sum still fits 128 bits.",
        [
            new(N, "N", "End of the range, excluded (required)", Required: true),
            new(From, "A", "Start of the range, included (default 0)"),
        ],
        null,
        ["square-sum --n 10_000_000", "square-sum --from 1e12 --n 2e12 --json"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Name;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var sum = n == from
            ? UInt128.Zero // the empty sum; the runner takes non-empty ranges only
            : await runner.RunRangeAsync(BuiltInKernels.SquareSum, from, n - 1, chunkSize, progress, cancellationToken);
        return new Outcome(from, n, sum);
    }

    private static SquareSumCommand Bind(ParsedArguments arguments, GlobalOptions global)
    {
        var n = arguments.Number(N);
        var from = arguments.NumberOrDefault(From, 0);
        if (n > SquareSum.MaxExclusive)
        {
            throw UsageException.ForValue(N, arguments.Value(N)!, $"is larger than {SquareSum.MaxExclusive} (10^13), the most square-sum takes");
        }

        if (from > n)
        {
            throw UsageException.ForValue(From, arguments.Shown(From, 0), $"is larger than --n '{arguments.Value(N)}'");
        }

        global.EnsureChunkCountFits(arguments, n - from);
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
