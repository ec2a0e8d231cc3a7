using System.CommandLine;
using System.Text.Json;
using GrainPool.Abstractions;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary><c>is-prime</c>: deterministic Miller-Rabin (<see cref="MillerRabin.IsPrime"/>) on each value, in order.</summary>
internal sealed class IsPrimeCommand(ulong[] values, int? chunkSize) : ICliCommand
{
    private static readonly Argument<ulong[]> Values = new("N")
    {
        Description = "The values to test, 0 .. 18446744073709551615",
        Arity = ArgumentArity.OneOrMore,
        CustomParser = NumberParser.ParseArguments,
    };

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "is-prime",
        "Test each value N (0 .. 2^64-1) with deterministic Miller-Rabin",
        "Tells for each value N, in order, whether it is prime (deterministic Miller-Rabin). Exact for every value\n" +
        "0 .. 18446744073709551615.",
        [Values],
        ["is-prime 18446744073709551557 18446744073709551615", "is-prime 97 1e9 --json"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var results = new bool[values.Length];
        await runner.RunMapAsync(BuiltInKernels.IsPrimeMillerRabinUInt64, values, results, chunkSize, progress, cancellationToken);
        return new Outcome(values, results);
    }

    private static IsPrimeCommand Bind(ParseResult parse, GlobalOptions global) =>
        new(parse.GetValue(Values) ?? [], global.MapChunkSize);

    private sealed class Outcome(ulong[] values, bool[] results) : ICommandOutcome
    {
        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json)
        {
            json.WriteIntegerArray("values", values);
            json.WriteBooleanArray("results", results);
        }

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            for (var i = 0; i < values.Length; i++)
            {
                text.WriteLine(results[i] ? $"{TextFormat.Plain(values[i])} is prime" : $"{TextFormat.Plain(values[i])} is not prime");
            }
        }
    }
}
