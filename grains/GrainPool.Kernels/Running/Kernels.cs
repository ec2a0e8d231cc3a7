namespace GrainPool.Kernels.Running;

/// <summary>
/// What every kernel declares: the id it is registered under on the silos, passed by the client's handles, and shown
/// in output and metrics. A kernel's declaration is its class (<see cref="IRangeKernel{TPartial}"/> or
/// <see cref="IItemKernel{TItem, TResult}"/>): the silo registers it by this id, the in-process runner runs it, and the
/// client's handle is made from it, so its facts are written once.
/// </summary>
public interface IKernel
{
    /// <summary>The id the kernel is registered under and called by (for example <c>prime-count/sieve</c>).</summary>
    string Id { get; }
}

/// <summary>
/// A job over a contiguous range of integers whose chunks produce partial results that combine exactly
/// (associative and commutative), so any chunking on any number of workers gives the same answer.
/// </summary>
/// <typeparam name="TPartial">The partial result of one chunk.</typeparam>
public interface IRangeKernel<TPartial> : IKernel
{
    /// <summary>Smallest chunk worth a call of its own (set-up cost amortised).</summary>
    ulong MinChunkSize { get; }

    /// <summary>The result of an empty range.</summary>
    TPartial Zero { get; }

    /// <summary>Computes the chunk [first, last] (inclusive).</summary>
    TPartial Compute(ulong first, ulong last);

    /// <summary>Combines two partial results exactly.</summary>
    TPartial Combine(TPartial left, TPartial right);
}

/// <summary>A function applied to each item of a list on its own (Pool.map's function).</summary>
public interface IItemKernel<TItem, TResult> : IKernel
{
    /// <summary>The result for one item; throws <see cref="ArgumentException"/> for an item it cannot take.</summary>
    TResult Compute(TItem item);
}

/// <summary>The kernels GrainPool ships, each declared once; silos register all of them.</summary>
public static class KernelCatalog
{
    /// <summary>Primes in a range by the segmented sieve.</summary>
    public static PrimeCountKernel PrimeCountSieve { get; } = new(PrimalityMethod.Sieve);

    /// <summary>Primes in a range by Miller-Rabin on each candidate.</summary>
    public static PrimeCountKernel PrimeCountMillerRabin { get; } = new(PrimalityMethod.MillerRabin);

    /// <summary>Primes in a range by the tutorial's trial division on each number (values up to 2^63-1).</summary>
    public static PrimeCountKernel PrimeCountTrial { get; } = new(PrimalityMethod.Trial);

    /// <summary>Exact square-root sums (see <see cref="SqrtSum"/>).</summary>
    public static SqrtSumKernel SqrtSum { get; } = new();

    /// <summary>Exact sums of squares (see <see cref="Kernels.SquareSum"/>).</summary>
    public static SquareSumKernel SquareSum { get; } = new();

    /// <summary>The tutorial's is_prime (trial division) per item.</summary>
    public static IsPrimeKernel IsPrimeTrial { get; } = new(PrimalityMethod.Trial);

    /// <summary>Deterministic Miller-Rabin per item (signed items, like the tutorial's is_prime).</summary>
    public static IsPrimeKernel IsPrimeMillerRabin { get; } = new(PrimalityMethod.MillerRabin);

    /// <summary>Deterministic Miller-Rabin per item over all of 0 .. 2^64-1.</summary>
    public static UInt64PrimalityKernel IsPrimeMillerRabinUInt64 { get; } = new();

    /// <summary>The name of <paramref name="method"/> as ids and the command line spell it.</summary>
    public static string NameOf(PrimalityMethod method) => method switch
    {
        PrimalityMethod.Sieve => "sieve",
        PrimalityMethod.MillerRabin => "miller-rabin",
        PrimalityMethod.Trial => "trial",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown primality method."),
    };
}

/// <summary>Counts primes in each chunk with the chosen <see cref="PrimalityMethod"/>.</summary>
public sealed class PrimeCountKernel(PrimalityMethod method) : IRangeKernel<ulong>
{
    /// <summary>The method this kernel counts with.</summary>
    public PrimalityMethod Method { get; } = method;

    /// <inheritdoc />
    public string Id { get; } = "prime-count/" + KernelCatalog.NameOf(method);

    /// <summary>The largest value the method takes: trial division works on signed 64-bit values.</summary>
    public ulong MaxValue => Method == PrimalityMethod.Trial ? PrimeCounting.MaxTrialDivisionValue : ulong.MaxValue;

    // A sieve chunk should span several segments; per-number tests are cheap to split finely.
    /// <inheritdoc />
    public ulong MinChunkSize => Method == PrimalityMethod.Sieve ? 1UL << 22 : 1UL << 12;

    /// <inheritdoc />
    public ulong Zero => 0;

    /// <inheritdoc />
    public ulong Compute(ulong first, ulong last) => PrimeCounting.Count(first, last, Method);

    /// <inheritdoc />
    public ulong Combine(ulong left, ulong right) => checked(left + right);
}

/// <summary>Exact square-root sums per chunk (see <see cref="SqrtSum"/>).</summary>
public sealed class SqrtSumKernel : IRangeKernel<SqrtSumPartial>
{
    /// <inheritdoc />
    public string Id => "sqrt-sum";

    /// <inheritdoc />
    public ulong MinChunkSize => 1UL << 16;

    /// <inheritdoc />
    public SqrtSumPartial Zero => SqrtSumPartial.Zero;

    /// <inheritdoc />
    public SqrtSumPartial Compute(ulong first, ulong last) => SqrtSum.Partial(first, last);

    /// <inheritdoc />
    public SqrtSumPartial Combine(SqrtSumPartial left, SqrtSumPartial right) => left + right;
}

/// <summary>Exact sums of squares per chunk (see <see cref="SquareSum"/>).</summary>
public sealed class SquareSumKernel : IRangeKernel<UInt128>
{
    /// <inheritdoc />
    public string Id => "square-sum";

    /// <inheritdoc />
    public ulong MinChunkSize => 1UL << 16;

    /// <inheritdoc />
    public UInt128 Zero => UInt128.Zero;

    /// <inheritdoc />
    public UInt128 Compute(ulong first, ulong last) => SquareSum.Partial(first, last);

    /// <inheritdoc />
    public UInt128 Combine(UInt128 left, UInt128 right) => checked(left + right);
}

/// <summary>Primality of one number: the tutorial's trial division or Miller-Rabin.</summary>
public sealed class IsPrimeKernel(PrimalityMethod method) : IItemKernel<long, bool>
{
    /// <summary>The method used; <see cref="PrimalityMethod.Sieve"/> is not a per-item method.</summary>
    public PrimalityMethod Method { get; } = method == PrimalityMethod.Sieve
        ? throw new ArgumentOutOfRangeException(nameof(method), method, "Per-item primality takes trial or miller-rabin, not sieve.")
        : method;

    /// <inheritdoc />
    public string Id => "is-prime/" + KernelCatalog.NameOf(Method);

    /// <inheritdoc />
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
    /// <inheritdoc />
    public string Id => "is-prime/miller-rabin-u64";

    /// <inheritdoc />
    public bool Compute(ulong item) => MillerRabin.IsPrime(item);
}
