namespace GrainPool.Kernels.Running;

/// <summary>
/// A job over a contiguous range of integers whose chunks produce partial results that combine exactly
/// (associative and commutative), so any chunking on any number of workers gives the same answer.
/// </summary>
/// <typeparam name="TPartial">The partial result of one chunk.</typeparam>
public interface IRangeKernel<TPartial>
{
    /// <summary>Short name used in output and metrics (for example <c>prime-count</c>).</summary>
    string Name { get; }

    /// <summary>Smallest chunk worth scheduling on its own (set-up cost amortised).</summary>
    ulong MinChunkSize { get; }

    /// <summary>The result of an empty range.</summary>
    TPartial Zero { get; }

    /// <summary>Computes the chunk [first, last] (inclusive).</summary>
    TPartial Compute(ulong first, ulong last);

    /// <summary>Combines two partial results exactly.</summary>
    TPartial Combine(TPartial left, TPartial right);
}

/// <summary>A function applied to each item of a list on its own (Pool.map's function).</summary>
public interface IItemKernel<TItem, TResult>
{
    /// <summary>Short name used in output and metrics (for example <c>is-prime-trial</c>).</summary>
    string Name { get; }

    /// <summary>The result for one item; throws <see cref="ArgumentException"/> for an item it cannot take.</summary>
    TResult Compute(TItem item);
}

/// <summary>Counts primes in each chunk with the chosen <see cref="PrimalityMethod"/>.</summary>
public sealed class PrimeCountKernel(PrimalityMethod method) : IRangeKernel<ulong>
{
    /// <summary>The method this kernel counts with.</summary>
    public PrimalityMethod Method { get; } = method;

    public string Name => "prime-count";

    // A sieve chunk should span several segments; per-number tests are cheap to split finely.
    public ulong MinChunkSize => Method == PrimalityMethod.Sieve ? 1UL << 22 : 1UL << 12;

    public ulong Zero => 0;

    public ulong Compute(ulong first, ulong last) => PrimeCounting.Count(first, last, Method);

    public ulong Combine(ulong left, ulong right) => checked(left + right);
}

/// <summary>Exact square-root sums per chunk (see <see cref="SqrtSum"/>).</summary>
public sealed class SqrtSumKernel : IRangeKernel<SqrtSumPartial>
{
    public string Name => "sqrt-sum";

    public ulong MinChunkSize => 1UL << 16;

    public SqrtSumPartial Zero => SqrtSumPartial.Zero;

    public SqrtSumPartial Compute(ulong first, ulong last) => SqrtSum.Partial(first, last);

    public SqrtSumPartial Combine(SqrtSumPartial left, SqrtSumPartial right) => left + right;
}

/// <summary>Exact sums of squares per chunk (see <see cref="SquareSum"/>).</summary>
public sealed class SquareSumKernel : IRangeKernel<UInt128>
{
    public string Name => "square-sum";

    public ulong MinChunkSize => 1UL << 16;

    public UInt128 Zero => UInt128.Zero;

    public UInt128 Compute(ulong first, ulong last) => SquareSum.Partial(first, last);

    public UInt128 Combine(UInt128 left, UInt128 right) => checked(left + right);
}

/// <summary>Primality of one number: the tutorial's trial division or Miller-Rabin.</summary>
public sealed class IsPrimeKernel(PrimalityMethod method) : IItemKernel<long, bool>
{
    /// <summary>The method used; <see cref="PrimalityMethod.Sieve"/> is not a per-item method.</summary>
    public PrimalityMethod Method { get; } = method == PrimalityMethod.Sieve
        ? throw new ArgumentOutOfRangeException(nameof(method), method, "Per-item primality takes trial or miller-rabin, not sieve.")
        : method;

    public string Name => Method == PrimalityMethod.Trial ? "is-prime-trial" : "is-prime-miller-rabin";

    public bool Compute(long item) => Method == PrimalityMethod.Trial
        ? SeedPrimality.IsPrime(item)
        : item >= 0 && MillerRabin.IsPrime((ulong)item);
}

/// <summary>
/// Deterministic Miller-Rabin on each item over the whole unsigned 64-bit range (<see cref="IsPrimeKernel"/> takes
/// signed items like the tutorial's is_prime, so it stops at 2^63-1).
/// </summary>
public sealed class UInt64PrimalityKernel : IItemKernel<ulong, bool>
{
    public string Name => "is-prime-miller-rabin-u64";

    public bool Compute(ulong item) => MillerRabin.IsPrime(item);
}
