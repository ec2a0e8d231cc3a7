using System.CommandLine;
using System.Text.Json;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Abstractions;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary><c>primes count</c>: the number of primes p with from &lt;= p &lt;= to (the pi(x) convention).</summary>
internal sealed class PrimesCountCommand(ulong from, ulong to, MethodChoice<RangeKernel<ulong>> method, ulong? chunkSize) : ICliCommand
{
    private static readonly MethodChoice<RangeKernel<ulong>>[] Methods =
    [
        new("sieve", BuiltInKernels.PrimeCountSieve),
        new("miller-rabin", BuiltInKernels.PrimeCountMillerRabin),
        new("trial", BuiltInKernels.PrimeCountTrial),
    ];

    private static readonly Option<ulong> From = CliOptions.Number("--from", "A", "First number of the range (default 0)");
    private static readonly Option<ulong> To = CliOptions.Number("--to", "B", "Last number of the range, included (required)", required: true);
    private static readonly Option<string> Method =
        MethodOption.Create(Methods, $"sieve, miller-rabin or trial (default sieve; trial takes B up to {PrimeCounting.MaxTrialDivisionValue})");

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "primes count",
        "Count primes p with FROM <= p <= TO (pi(x) convention)",
        "Counts the primes p with A <= p <= B, both ends included (pi(B) when A is 0). Any range in 0 .. 2^64-1.",
        [From, To, Method],
        ["primes count --to 1e9", "primes count --from 1e12 --to 1_000_001_000_000 --method miller-rabin --json"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var count = await runner.RunRangeAsync(method.Kernel, from, to, chunkSize, progress, cancellationToken);
        return new Outcome(from, to, method.Name, count);
    }

    private static PrimesCountCommand Bind(ParseResult parse, GlobalOptions global)
    {
        var from = parse.GetValue(From);
        var to = parse.GetValue(To);
        var method = MethodOption.Read(parse, Method, Methods, "primes count");
        if (from > to)
        {
            throw UsageException.ForValue(From.Name, parse.Shown(From, 0), $"is larger than --to '{parse.Typed(To)}'");
        }

        if (method.Kernel == BuiltInKernels.PrimeCountTrial && to > PrimeCounting.MaxTrialDivisionValue)
        {
            throw UsageException.ForValue(To.Name, parse.Typed(To)!, $"is larger than {PrimeCounting.MaxTrialDivisionValue}, the largest value --method trial takes");
        }

        global.EnsureChunkCountFits((UInt128)to - from + 1);
        return new PrimesCountCommand(from, to, method, global.ChunkSize);
    }

    private sealed class Outcome(ulong from, ulong to, string method, ulong count) : ICommandOutcome
    {
        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json)
        {
            json.WriteString("method", method);
            json.WriteInteger("from", from);
            json.WriteInteger("to", to);
            json.WriteInteger("count", count);
        }

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            text.WriteLine($"Found {TextFormat.Plain(count)} primes from {TextFormat.Grouped(from)} to {TextFormat.Grouped(to)} (both included)");
            TextFormat.WriteTiming(text, summary, method);
        }
    }
}
