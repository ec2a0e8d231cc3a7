using System.Globalization;
using GrainPool.Abstractions;
using GrainPool.Cli.Running;
using GrainPool.Load;

namespace GrainPool.Cli.Load;

/// <summary>The sizes of the load scenarios' jobs.</summary>
/// <param name="MapItems">Items of each <c>map</c> iteration: is_prime over 1..M.</param>
/// <param name="CountTo">The end (included) of each <c>count</c> iteration's sieve count over [0, B].</param>
/// <param name="SqrtSumN">Each <c>sqrt-sum</c> iteration's n: the sum of sqrt(i) over range(n).</param>
internal sealed record ScenarioSizes(ulong MapItems, ulong CountTo, ulong SqrtSumN)
{
    /// <summary>
    /// Sizes with published values to check against, each about 0.1-0.5 s of one core's work on this project's 2-core
    /// machine: pi(10^5), pi(10^9), S(10^8).
    /// </summary>
    public static ScenarioSizes Default { get; } = new(100_000, 1_000_000_000, 100_000_000);

    /// <summary>
    /// The scaling run's sizes: each job ten times the default, about 3 s of one core's work for a count (pi(10^10),
    /// pi(10^6) published), so a job still splits into many chunks on many cores and the per-job cost stays small.
    /// </summary>
    public static ScenarioSizes Saturation { get; } = new(1_000_000, 10_000_000_000, 1_000_000_000);
}

/// <summary>
/// The load scenarios against GrainPool, each a <see cref="Scenario"/> of one step over an <see cref="IJobRunner"/>
/// (the code path the grainpool command's jobs take, whichever runner the global options chose). Every answer is
/// checked: against a published value (<see cref="ReferenceValues"/>) where one exists, otherwise against the
/// scenario's first answer (a wrong or unstable answer under load is a failed iteration, with its message).
/// </summary>
internal static class GrainPoolScenarios
{
    /// <summary>Deterministic Miller-Rabin on one 64-bit value per iteration: latency under open load.</summary>
    public const string IsPrime = "is-prime";

    /// <summary>Pool.map of is_prime over 1..M per iteration: per-item throughput.</summary>
    public const string Map = "map";

    /// <summary>A sieve prime count over [0, B] per iteration: a range job to saturation.</summary>
    public const string Count = "count";

    /// <summary>The sum of sqrt(i) over range(n) per iteration: a range job to saturation.</summary>
    public const string SqrtSum = "sqrt-sum";

    /// <summary>is-prime, map and count at once, each its own scenario with its own statistics.</summary>
    public const string Mix = "mix";

    /// <summary>Every scenario name, in the order help lists them.</summary>
    public static readonly IReadOnlyList<string> Names = [IsPrime, Map, Count, SqrtSum];

    /// <summary>The scenarios <see cref="Mix"/> stands for.</summary>
    public static readonly IReadOnlyList<string> MixNames = [IsPrime, Map, Count];

    /// <summary>
    /// The load a scenario gets when neither the command line nor a config file gives one: is-prime an open 100 calls
    /// per second, the job scenarios two closed copies (one job waiting while one runs, so no worker idles between jobs).
    /// </summary>
    public static LoadSimulation DefaultLoad(string name, TimeSpan during) => name == IsPrime
        ? LoadSimulation.Inject(rate: 100, interval: TimeSpan.FromSeconds(1), during: during)
        : LoadSimulation.KeepConstant(copies: 2, during: during);

    /// <summary>The items or numbers one iteration of <paramref name="name"/> computes, for per-item rates.</summary>
    public static double WorkPerIteration(string name, ScenarioSizes sizes) => name switch
    {
        IsPrime => 1,
        Map => sizes.MapItems,
        Count => sizes.CountTo + 1.0,
        SqrtSum => sizes.SqrtSumN,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown scenario."),
    };

    /// <summary>What one iteration of <paramref name="name"/> computes, as the reports describe it.</summary>
    public static string Describe(string name, ScenarioSizes sizes) => name switch
    {
        IsPrime => "is-prime of one 64-bit value (every other one 2^64 - k, checked against the Prime Pages' table)",
        Map => $"primes map over 1..{Plain(sizes.MapItems)} (Miller-Rabin per item)",
        Count => $"primes count over [0, {Plain(sizes.CountTo)}] (segmented sieve)",
        SqrtSum => $"sqrt-sum over range({Plain(sizes.SqrtSumN)})",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown scenario."),
    };

    /// <summary>The scenario <paramref name="name"/> on <paramref name="runner"/>, with no load simulation yet.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="runner">Where the jobs run.</param>
    /// <param name="sizes">The jobs' sizes.</param>
    /// <param name="seed">Seeds is-prime's random values, so a run can be repeated.</param>
    public static Scenario Create(string name, IJobRunner runner, ScenarioSizes sizes, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return name switch
        {
            IsPrime => Scenario.Create(IsPrime, ctx => IsPrimeStep(runner, seed, ctx)),
            Map => MapScenario(runner, sizes.MapItems),
            Count => Checked(Count, ReferenceValues.PrimeCounts.TryGetValue(sizes.CountTo, out var pi) ? Exact(pi) : null, async ct =>
                (await runner.RunRangeAsync(BuiltInKernels.PrimeCountSieve, 0, sizes.CountTo, null, null, ct)).ToString(CultureInfo.InvariantCulture)),
            SqrtSum => Checked(SqrtSum, ReferenceValues.SqrtSums.TryGetValue(sizes.SqrtSumN, out var s) ? s.ToString("R", CultureInfo.InvariantCulture) : null, async ct =>
                sizes.SqrtSumN == 0
                    ? "0"
                    : (await runner.RunRangeAsync(BuiltInKernels.SqrtSum, 0, sizes.SqrtSumN - 1, null, null, ct)).ToDouble().ToString("R", CultureInfo.InvariantCulture)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"Unknown scenario; the scenarios are {string.Join(", ", Names)}."),
        };
    }

    private static async Task<Response> IsPrimeStep(IJobRunner runner, ulong seed, StepContext ctx)
    {
        // Every other iteration tests 2^64 - k, whose answer the Prime Pages' table gives; the others a random 64-bit
        // value (SplitMix64 of the seed and the iteration: repeatable, no shared random state between iterations).
        var random = SplitMix64(seed + (ulong)ctx.Iteration);
        var k = 1 + (random % ReferenceValues.LargestPrimeGap);
        var reference = ctx.Iteration % 2 == 0;
        ulong[] value = [reference ? ulong.MaxValue - k + 1 : random];
        var result = new bool[1];
        await runner.RunMapAsync(BuiltInKernels.IsPrimeMillerRabinUInt64, value, result, null, null, ctx.CancellationToken).ConfigureAwait(false);
        if (reference && result[0] != ReferenceValues.PrimesBelow2To64.Contains(k))
        {
            return Response.Fail(message: $"is-prime(2^64 - {k}) gave {result[0]}; the Prime Pages' table says {!result[0]}");
        }

        return Response.Ok(sizeBytes: sizeof(ulong) + sizeof(bool));
    }

    private static Scenario MapScenario(IJobRunner runner, ulong items)
    {
        var values = new ulong[items];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (ulong)i + 1;
        }

        return Checked(Map, ReferenceValues.PrimeCounts.TryGetValue(items, out var pi) ? Exact(pi) : null, async ct =>
        {
            var results = new bool[values.Length];
            await runner.RunMapAsync(BuiltInKernels.IsPrimeMillerRabinUInt64, values, results, null, null, ct).ConfigureAwait(false);
            return results.Count(r => r).ToString(CultureInfo.InvariantCulture);
        }, sizeBytes: (long)items * (sizeof(ulong) + sizeof(bool)));
    }

    // A one-step scenario whose answer must equal the published value, or (none published) the first answer.
    private static Scenario Checked(string name, string? reference, Func<CancellationToken, Task<string>> run, long sizeBytes = 0)
    {
        string? first = null;
        return Scenario.Create(name, async ctx =>
        {
            var answer = await run(ctx.CancellationToken).ConfigureAwait(false);
            if (reference is not null)
            {
                return answer == reference ? Response.Ok(sizeBytes: sizeBytes) : Response.Fail(message: $"{name} gave {answer}; the published value is {reference}");
            }

            var seen = Interlocked.CompareExchange(ref first, answer, null) ?? answer;
            return answer == seen ? Response.Ok(sizeBytes: sizeBytes) : Response.Fail(message: $"{name} gave {answer}, an earlier iteration {seen}");
        });
    }

    private static string Exact(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }

    private static string Plain(ulong value) => Output.TextFormat.Grouped(value);
}
