namespace GrainPool.Abstractions;

/// <summary>
/// A typed handle to a range kernel registered on the silos: its id, the value of an empty range, and how two partial
/// results combine (must be associative and commutative, so any chunking on any cluster gives the same answer).
/// </summary>
/// <typeparam name="TPartial">The partial result of one chunk (serializable by Orleans).</typeparam>
public sealed class RangeKernel<TPartial>(string id, TPartial zero, Func<TPartial, TPartial, TPartial> combine, ulong minChunkSize = 1)
{
    /// <summary>The id the kernel is registered under on the silos.</summary>
    public string Id { get; } = id;

    /// <summary>The result of an empty range.</summary>
    public TPartial Zero { get; } = zero;

    /// <summary>Smallest chunk worth a round trip.</summary>
    public ulong MinChunkSize { get; } = minChunkSize;

    /// <summary>Combines two partial results.</summary>
    public TPartial Combine(TPartial left, TPartial right) => combine(left, right);

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>A typed handle to an item kernel (Pool.map's function) registered on the silos.</summary>
/// <typeparam name="TItem">Input item type.</typeparam>
/// <typeparam name="TResult">Result type.</typeparam>
public sealed class ItemKernel<TItem, TResult>(string id)
{
    /// <summary>The id the kernel is registered under on the silos.</summary>
    public string Id { get; } = id;

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>Handles of the kernels every GrainPool silo registers.</summary>
public static class BuiltInKernels
{
    /// <summary>Primes in a range by the segmented sieve.</summary>
    public static readonly RangeKernel<ulong> PrimeCountSieve = new("prime-count/sieve", 0, (a, b) => checked(a + b), 1UL << 22);

    /// <summary>Primes in a range by Miller-Rabin on each candidate.</summary>
    public static readonly RangeKernel<ulong> PrimeCountMillerRabin = new("prime-count/miller-rabin", 0, (a, b) => checked(a + b), 1UL << 12);

    /// <summary>Primes in a range by the tutorial's trial division on each number.</summary>
    public static readonly RangeKernel<ulong> PrimeCountTrial = new("prime-count/trial", 0, (a, b) => checked(a + b), 1UL << 10);

    /// <summary>Exact sqrt sums as 128-bit fixed point with 52 fractional bits (round once at the end).</summary>
    public static readonly RangeKernel<UInt128> SqrtSumFixed = new("sqrt-sum", UInt128.Zero, (a, b) => checked(a + b), 1UL << 16);

    /// <summary>Exact sums of squares.</summary>
    public static readonly RangeKernel<UInt128> SquareSum = new("square-sum", UInt128.Zero, (a, b) => checked(a + b), 1UL << 16);

    /// <summary>The tutorial's is_prime (trial division) per item.</summary>
    public static readonly ItemKernel<long, bool> IsPrimeTrial = new("is-prime/trial");

    /// <summary>Deterministic Miller-Rabin per item.</summary>
    public static readonly ItemKernel<long, bool> IsPrimeMillerRabin = new("is-prime/miller-rabin");

    /// <summary>Deterministic Miller-Rabin per item over all of 0 .. 2^64-1.</summary>
    public static readonly ItemKernel<ulong, bool> IsPrimeMillerRabinUInt64 = new("is-prime/miller-rabin-u64");
}
