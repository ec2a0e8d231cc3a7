using System.Globalization;
using GrainPool.Kernels;

namespace GrainPool.Benchmarks.Scaling;

/// <summary>One run of a job on one configuration: wall seconds, who ran it, and what was wrong with its result (null: nothing).</summary>
internal sealed record ScaleRun(double Seconds, int Workers, int Silos, string? Problem);

/// <summary>
/// A job of the scale command: the same work for every configuration, each result checked against a reference from
/// outside the code under test and against the other configurations' results.
/// </summary>
internal abstract class ScaleJob
{
    public abstract ScaleJobKind Kind { get; }

    /// <summary>Heading of the job's table.</summary>
    public abstract string Title { get; }

    /// <summary>What exactly runs, and what the results are checked against.</summary>
    public abstract string Description { get; }

    /// <summary>The unit of the throughput column.</summary>
    public abstract string Rate { get; }

    /// <summary>Numbers (range jobs) or items (the map) per job: throughput = Work / seconds.</summary>
    public abstract double Work { get; }

    /// <summary>The result, once a run has produced it.</summary>
    public abstract string ResultText { get; }

    public bool IsRange => Kind != ScaleJobKind.Map;

    public abstract Task<ScaleRun> RunAsync(IScaleTarget target);

    protected static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>The seed's trial-division prime count over [first, last]; the count must equal an independent one.</summary>
internal sealed class TrialCountJob(ulong first, ulong last, ulong? chunkSize, ulong expected, string reference) : ScaleJob
{
    public override ScaleJobKind Kind => ScaleJobKind.Trial;

    public override string Title => $"(a) trial-division prime count over [{Count(first)}, {Count(last)}]";

    public override string Description =>
        $"{Count(Work)} numbers; in-process `{nameof(Kernels.Running.InProcessRunner)}.RunRange(new PrimeCountKernel(PrimalityMethod.Trial), ...)`, " +
        $"cluster `GrainPoolClient.CountPrimesAsync(first, last, BuiltInKernels.PrimeCountTrial)`; chunk size {(chunkSize is { } c ? Count(c) : "each runner's default")}. " +
        $"Expected count {Count(expected)} from {reference}.";

    public override string Rate => "numbers/s";

    public override double Work => last - first + 1;

    public override string ResultText => $"count {Count(expected)}";

    public override async Task<ScaleRun> RunAsync(IScaleTarget target)
    {
        var run = await target.CountTrialAsync(first, last, chunkSize);
        return new ScaleRun(run.Seconds, run.Workers, run.Silos,
            run.Value == expected ? null : $"count {run.Value}, expected {expected}");
    }
}

/// <summary>
/// The exact sum of sqrt(i) over [1, last]: every configuration must give the same 128-bit fixed-point value, bit for
/// bit, and the first (in-process, 1 thread) must agree with the asymptotic formula to 1e-12.
/// </summary>
internal sealed class SqrtSumJob(ulong last, ulong? chunkSize) : ScaleJob
{
    private const double Tolerance = 1e-12;

    private UInt128? _baseline;

    public override ScaleJobKind Kind => ScaleJobKind.SqrtSum;

    public override string Title => $"(b) sqrt-sum over [1, {Count(last)}]";

    public override string Description =>
        $"{Count(Work)} terms; in-process `InProcessRunner.RunRange(new SqrtSumKernel(), ...)`, cluster " +
        $"`GrainPoolClient.RunRangeAsync(BuiltInKernels.SqrtSum, ...)` (what `SqrtSumAsync` runs before its final rounding); " +
        $"chunk size {(chunkSize is { } c ? Count(c) : "each runner's default")}. Every result must equal the first " +
        $"(in-process, 1 thread) in all 128 bits of its fixed-point value; that one must match 2/3 n^1.5 + 1/2 n^0.5 + zeta(-1/2) + n^-0.5/24 within {Tolerance:0e0} relative.";

    public override string Rate => "numbers/s";

    public override double Work => last;

    public override string ResultText => _baseline is { } fixedSum
        ? $"sum {new SqrtSumPartial(fixedSum).ToDouble().ToString("R", CultureInfo.InvariantCulture)} (fixed point 0x{fixedSum:X})"
        : "no result";

    public override async Task<ScaleRun> RunAsync(IScaleTarget target)
    {
        var run = await target.SqrtSumAsync(1, last, chunkSize);
        string? problem = null;
        if (_baseline is null)
        {
            var sum = new SqrtSumPartial(run.Value).ToDouble();
            var approx = SqrtSumExpansion.FromOneTo(last);
            var error = Math.Abs(sum - approx) / approx;
            if (!(error <= Tolerance))
            {
                problem = $"sum {sum:R} is {error:0.0e0} away from the formula's {approx:R}";
            }

            _baseline = run.Value;
        }
        else if (run.Value != _baseline)
        {
            problem = $"fixed-point 0x{run.Value:X} differs from the first result 0x{_baseline:X}";
        }

        return new ScaleRun(run.Seconds, run.Workers, run.Silos, problem);
    }
}

/// <summary>
/// Pool.map of the seed's is_prime (trial division) over the items 1..n: the number of true results must equal pi(n),
/// and every configuration's result array must equal the first's (in-process, 1 thread) item for item.
/// </summary>
internal sealed class MapJob(int items, int? chunkSize, ulong expectedPrimes, string reference) : ScaleJob
{
    private readonly long[] _items = [.. Enumerable.Range(1, items).Select(i => (long)i)];
    private bool[]? _baseline;

    public override ScaleJobKind Kind => ScaleJobKind.Map;

    public override string Title => $"(c) map of is_prime (trial division) over 1..{Count(items)}";

    public override string Description =>
        $"{Count(items)} items; in-process `InProcessRunner.RunMap(new IsPrimeKernel(PrimalityMethod.Trial), ...)`, cluster " +
        $"`GrainPoolClient.MapAsync(BuiltInKernels.IsPrimeTrial, items)` (items and results cross the wire); chunk size " +
        $"{(chunkSize is { } c ? Count(c) : "each runner's default (in-process: items / (16 x threads); client: one item, then about 0.5 s of work at the measured rate, at most items / (4 x workers))")}. " +
        $"Expected {Count(expectedPrimes)} primes ({reference}); every result array must equal the first (in-process, 1 thread).";

    public override string Rate => "items/s";

    public override double Work => items;

    public override string ResultText => $"{Count(expectedPrimes)} primes";

    public override async Task<ScaleRun> RunAsync(IScaleTarget target)
    {
        var run = await target.MapIsPrimeTrialAsync(_items, chunkSize);
        var primes = run.Value.Count(isPrime => isPrime);
        string? problem = null;
        if ((ulong)primes != expectedPrimes)
        {
            problem = $"{primes} primes, expected {expectedPrimes}";
        }
        else if (_baseline is null)
        {
            _baseline = run.Value;
        }
        else if (!run.Value.AsSpan().SequenceEqual(_baseline))
        {
            var index = run.Value.AsSpan().CommonPrefixLength(_baseline);
            problem = $"item {_items[index]} is {run.Value[index]} here, {_baseline[index]} in the first result";
        }

        return new ScaleRun(run.Seconds, run.Workers, run.Silos, problem);
    }
}

/// <summary>The Euler-Maclaurin expansion of a sum of square roots: an independent check of the sqrt-sum kernel.</summary>
internal static class SqrtSumExpansion
{
    // zeta(-1/2), the constant term of sum_{i=1..n} sqrt(i) = 2/3 n^1.5 + 1/2 n^0.5 + zeta(-1/2) + n^-0.5 / 24 + O(n^-2.5).
    private const double ZetaMinusHalf = -0.207886224977354566;

    /// <summary>sum of sqrt(i) for i = 1..n, to O(n^-2.5).</summary>
    public static double FromOneTo(ulong n)
    {
        var x = (double)n;
        var root = Math.Sqrt(x);
        return (2.0 / 3.0 * x * root) + (0.5 * root) + ZetaMinusHalf + (1 / (24 * root));
    }
}
