using System.CommandLine;
using System.Text.Json;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary>
/// <c>primes map</c>: the tutorial's <c>Pool.map(is_prime, range(1, N + 1))</c>, one result per number in order.
/// Items and results are held in memory, as Pool.map's lists are.
/// </summary>
internal sealed class PrimesMapCommand(int upto, MethodChoice<ItemKernel<long, bool>> method, int? chunkSize) : ICliCommand
{
    private static readonly MethodChoice<ItemKernel<long, bool>>[] Methods =
    [
        new("trial", BuiltInKernels.IsPrimeTrial),
        new("miller-rabin", BuiltInKernels.IsPrimeMillerRabin),
    ];

    private static readonly Option<ulong> UpTo = CliOptions.Number("--upto", "N", "Last number of the list 1..N (required)", required: true);
    private static readonly Option<string> Method = MethodOption.Create(Methods, "trial (the tutorial's is_prime) or miller-rabin (default trial)");

    // A long item and a bool result per number.
    private const int BytesPerItem = sizeof(long) + sizeof(bool);

    /// <summary>The command as the command line and help see it.</summary>
    public static JobCommand Definition { get; } = new(
        "primes map",
        "Pool.map(is_prime, 1..N): one result per number, in order",
        "The tutorial's Pool.map(is_prime, numbers) over the numbers 1..N: one prime/not-prime result per number, in order,\n" +
        $"and the count of primes among them. N is at most {Array.MaxLength} (the items are held in memory).",
        [UpTo, Method],
        ["primes map --upto 100_000", "primes map --upto 1e6 --method miller-rabin --threads 2"],
        Bind);

    /// <inheritdoc />
    public string Name => Definition.Words;

    /// <inheritdoc />
    public async Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        var items = new long[upto];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = i + 1L;
        }

        var results = new bool[upto];
        await runner.RunMapAsync(method.Kernel, items, results, chunkSize, progress, cancellationToken);
        return new Outcome((ulong)upto, method.Name, results);
    }

    private static PrimesMapCommand Bind(ParseResult parse, GlobalOptions global)
    {
        var upto = parse.GetValue(UpTo);
        var method = MethodOption.Read(parse, Method, Methods, "primes map");
        var text = parse.Typed(UpTo)!;
        if (upto > (ulong)Array.MaxLength)
        {
            throw UsageException.ForValue(UpTo.Name, text, $"is larger than {Array.MaxLength}, the most items one map holds");
        }

        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && (long)upto * BytesPerItem > available)
        {
            throw UsageException.ForValue(
                UpTo.Name, text, $"needs {(long)upto * BytesPerItem / (1 << 20)} MiB for items and results, more than the {available / (1 << 20)} MiB this process may use");
        }

        return new PrimesMapCommand((int)upto, method, global.MapChunkSize);
    }

    private sealed class Outcome(ulong upto, string method, bool[] results) : ICommandOutcome
    {
        private readonly ulong _count = (ulong)results.AsSpan().Count(true);

        /// <inheritdoc />
        public void WriteJson(Utf8JsonWriter json)
        {
            json.WriteString("method", method);
            json.WriteInteger("upto", upto);
            json.WriteInteger("count", _count);
            json.WriteBooleanArray("results", results);
        }

        /// <inheritdoc />
        public void WriteText(TextWriter text, RunSummary summary)
        {
            // The tutorial's own line: print(f"Found {len(primes)} primes up to 100,000")
            text.WriteLine($"Found {TextFormat.Plain(_count)} primes up to {TextFormat.Grouped(upto)}");
            TextFormat.WriteTiming(text, summary, method);
        }
    }
}
