using System.Globalization;
using System.Numerics;
using System.Text.Json;
using GrainPool.Abstractions;
using GrainPool.Cli.Output;
using GrainPool.Cli.Running;

namespace GrainPool.Cli.Commands;

/// <summary>The inputs of the demo's three programs.</summary>
/// <param name="HeavyN">heavy_task's range(N).</param>
/// <param name="MapUpTo">Pool.map's list 1..M.</param>
/// <param name="ComputeN">compute's range(n).</param>
internal sealed record DemoSizes(ulong HeavyN, ulong MapUpTo, ulong ComputeN)
{
    /// <summary>
    /// The tutorial's own inputs: heavy_task's range(10_000_000), Pool.map over 1..100,000, compute over [1_000_000] * 8.
    /// </summary>
    public static DemoSizes Tutorial { get; } = new(10_000_000, 100_000, 1_000_000);

    /// <summary>
    /// Inputs scaled up from the tutorial's to about a second of single-core work per program on this project's 2-core
    /// machine (measured in process on one thread: 2 x range(10^9) square sums 1.05 s, is_prime over 1..10^7 2.9 s,
    /// 8 x compute(10^8) 0.58 s), where the cluster's per-job costs no longer hide the speedup. 10^7 and 10^8 are
    /// chosen because the independent values for them are published (pi(10^7), S(10^8)); M = 10^6 would take 0.22 s.
    /// </summary>
    public static DemoSizes Scaled { get; } = new(1_000_000_000, 10_000_000, 100_000_000);
}

/// <summary>What one run of a tutorial program gave.</summary>
/// <param name="Shown">The result as the table shows it.</param>
/// <param name="Ok">True when the result equals the independent value.</param>
/// <param name="Expected">The independent value as text.</param>
/// <param name="TutorialLines">What the tutorial's program prints for this result.</param>
/// <param name="WriteJson">Writes the <c>result</c> and <c>expected</c> properties.</param>
internal sealed record ProgramResult(string Shown, bool Ok, string Expected, IReadOnlyList<string> TutorialLines, Action<Utf8JsonWriter> WriteJson);

/// <summary>One of the tutorial's programs as the demo runs it on a runner.</summary>
internal abstract class TutorialProgram
{
    /// <summary>Inputs of the untimed warm-up: enough chunks to reach every worker, a few milliseconds of work.</summary>
    protected const ulong WarmUpWidth = 1UL << 22;

    /// <summary>The program's id in JSON.</summary>
    public abstract string Id { get; }

    /// <summary>The program as the table names it.</summary>
    public abstract string Title { get; }

    /// <summary>The input as the table shows it.</summary>
    public abstract string Input { get; }

    /// <summary>What the result is checked against.</summary>
    public abstract string Check { get; }

    /// <summary>The demo's three programs with <paramref name="sizes"/>.</summary>
    public static IReadOnlyList<TutorialProgram> All(DemoSizes sizes, ulong? rangeChunk, int? mapChunk) =>
    [
        new HeavyTask(sizes.HeavyN, rangeChunk),
        new PoolMapIsPrime(sizes.MapUpTo, mapChunk),
        new ProcessPoolCompute(sizes.ComputeN, rangeChunk),
    ];

    /// <summary>Runs the program small and untimed, so that the timed runs find the code compiled and the workers active.</summary>
    public abstract Task WarmUpAsync(IJobRunner runner, CancellationToken cancellationToken);

    /// <summary>Runs the program on <paramref name="runner"/> and checks its result.</summary>
    public abstract Task<ProgramResult> RunAsync(IJobRunner runner, CancellationToken cancellationToken);

    /// <summary>Writes the program's inputs as JSON properties.</summary>
    public abstract void WriteInputJson(Utf8JsonWriter json);

    /// <summary>10^k for exact powers of ten from 10^6 on, else digits with separators: the inputs as people read them.</summary>
    protected static string Readable(ulong value)
    {
        var exponent = 0;
        var rest = value;
        while (rest >= 10 && rest % 10 == 0)
        {
            rest /= 10;
            exponent++;
        }

        return rest == 1 && exponent >= 6 ? "10^" + exponent.ToString(CultureInfo.InvariantCulture) : TextFormat.Grouped(value);
    }

    /// <summary>
    /// heavy_task, started twice as the tutorial's two Processes: two concurrent jobs of sum(i**2 for i in range(N)),
    /// exact in 128 bits.
    /// </summary>
    private sealed class HeavyTask(ulong n, ulong? chunkSize) : TutorialProgram
    {
        private const int Jobs = 2;

        public override string Id => "heavy_task";

        public override string Title => "heavy_task (2 Processes)";

        public override string Input => $"range({Readable(n)}) x {Jobs}";

        public override string Check => "closed form n(n-1)(2n-1)/6";

        public override Task WarmUpAsync(IJobRunner runner, CancellationToken cancellationToken) =>
            runner.RunRangeAsync(BuiltInKernels.SquareSum, 0, WarmUpWidth - 1, null, null, cancellationToken);

        public override async Task<ProgramResult> RunAsync(IJobRunner runner, CancellationToken cancellationToken)
        {
            var sums = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(_ => runner.RunRangeAsync(BuiltInKernels.SquareSum, 0, n - 1, chunkSize, null, cancellationToken)));
            var expected = ReferenceValues.SquareSum(n);
            var ok = sums.All(s => (BigInteger)s == expected);
            // The tutorial's print(f"[{name}] done. sum={total}") of each Process, then the parent's line.
            List<string> lines = [.. sums.Select((s, i) => $"[Worker-{i + 1}] done. sum={TextFormat.Plain(s)}"), "Both processes finished"];
            return new ProgramResult(TextFormat.Plain(sums[0]), ok, expected.ToString(CultureInfo.InvariantCulture), lines, json =>
            {
                json.WriteInteger("result", sums[0]);
                json.WriteInteger("expected", (UInt128)expected);
            });
        }

        public override void WriteInputJson(Utf8JsonWriter json)
        {
            json.WriteInteger("n", n);
            json.WriteNumber("jobs", Jobs);
        }
    }

    /// <summary>Pool.map(is_prime, range(1, M + 1)) with the tutorial's trial-division is_prime.</summary>
    private sealed class PoolMapIsPrime(ulong upto, int? chunkSize) : TutorialProgram
    {
        private long[]? _items;

        public override string Id => "pool_map_is_prime";

        public override string Title => "Pool.map(is_prime)";

        public override string Input => $"1..{TextFormat.Grouped(upto)}";

        public override string Check => $"pi({Readable(upto)}), OEIS A006880";

        public override async Task WarmUpAsync(IJobRunner runner, CancellationToken cancellationToken)
        {
            var items = Items().AsMemory(0, (int)Math.Min(upto, 1 << 16));
            await runner.RunMapAsync(BuiltInKernels.IsPrimeTrial, items, new bool[items.Length], null, null, cancellationToken);
        }

        public override async Task<ProgramResult> RunAsync(IJobRunner runner, CancellationToken cancellationToken)
        {
            var results = new bool[upto];
            await runner.RunMapAsync(BuiltInKernels.IsPrimeTrial, Items(), results, chunkSize, null, cancellationToken);
            var count = (ulong)results.AsSpan().Count(true);
            var expected = ReferenceValues.PrimeCounts[upto];
            // The tutorial's print(f"Found {len(primes)} primes up to 100,000").
            string[] lines = [$"Found {TextFormat.Plain(count)} primes up to {TextFormat.Grouped(upto)}"];
            return new ProgramResult($"{TextFormat.Plain(count)} primes", count == expected, TextFormat.Plain(expected), lines, json =>
            {
                json.WriteInteger("result", count);
                json.WriteInteger("expected", expected);
            });
        }

        public override void WriteInputJson(Utf8JsonWriter json) => json.WriteInteger("upto", upto);

        // numbers = list(range(1, M + 1)), built once and shared by the runs (the tutorial builds it before the pool).
        private long[] Items()
        {
            if (_items is null)
            {
                _items = new long[upto];
                for (var i = 0; i < _items.Length; i++)
                {
                    _items[i] = i + 1L;
                }
            }

            return _items;
        }
    }

    /// <summary>ProcessPoolExecutor.map(compute, [n] * 8): eight concurrent sum(math.sqrt(i) for i in range(n)), correctly rounded.</summary>
    private sealed class ProcessPoolCompute(ulong n, ulong? chunkSize) : TutorialProgram
    {
        private const int Jobs = 8;

        public override string Id => "process_pool_compute";

        public override string Title => "ProcessPoolExecutor.map(compute)";

        public override string Input => $"[{Readable(n)}] x {Jobs}";

        public override string Check => $"S({Readable(n)}), published table";

        public override Task WarmUpAsync(IJobRunner runner, CancellationToken cancellationToken) =>
            runner.RunRangeAsync(BuiltInKernels.SqrtSum, 0, WarmUpWidth - 1, null, null, cancellationToken);

        public override async Task<ProgramResult> RunAsync(IJobRunner runner, CancellationToken cancellationToken)
        {
            var partials = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(_ => runner.RunRangeAsync(BuiltInKernels.SqrtSum, 0, n - 1, chunkSize, null, cancellationToken)));
            var results = partials.Select(p => p.ToDouble()).ToArray();
            var expected = ReferenceValues.SqrtSums[n];
            var ok = results.All(r => BitConverter.DoubleToInt64Bits(r) == BitConverter.DoubleToInt64Bits(expected));
            // The tutorial's print(f"Done. First result: {results[0]:.2f}").
            string[] lines = [$"Done. First result: {TextFormat.TwoDecimals(results[0])}"];
            return new ProgramResult(TextFormat.RoundTrip(results[0]), ok, TextFormat.RoundTrip(expected), lines, json =>
            {
                json.WriteNumber("result", results[0]);
                json.WriteNumber("expected", expected);
            });
        }

        public override void WriteInputJson(Utf8JsonWriter json)
        {
            json.WriteInteger("n", n);
            json.WriteNumber("jobs", Jobs);
        }
    }
}
