using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Abstractions;

/// <summary>
/// A typed handle to a range kernel registered on the silos, made from the kernel's declaration: its id (all that
/// travels to the silos), the value of an empty range, how two partial results combine (associative and commutative,
/// so any chunking on any cluster gives the same answer), and its smallest useful chunk, all read from
/// <see cref="Kernel"/>.
/// </summary>
/// <typeparam name="TPartial">The partial result of one chunk (serializable by Orleans).</typeparam>
public sealed class RangeKernel<TPartial>(IRangeKernel<TPartial> kernel)
{
    /// <summary>The kernel's declaration, which the silos register under <see cref="Id"/>.</summary>
    public IRangeKernel<TPartial> Kernel { get; } = kernel ?? throw new ArgumentNullException(nameof(kernel));

    /// <summary>The id the kernel is registered under on the silos.</summary>
    public string Id => Kernel.Id;

    /// <summary>The result of an empty range.</summary>
    public TPartial Zero => Kernel.Zero;

    /// <summary>Smallest chunk worth a round trip.</summary>
    public ulong MinChunkSize => Kernel.MinChunkSize;

    /// <summary>Combines two partial results.</summary>
    public TPartial Combine(TPartial left, TPartial right) => Kernel.Combine(left, right);

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>A typed handle to an item kernel (Pool.map's function) registered on the silos, made from its declaration.</summary>
/// <typeparam name="TItem">Input item type.</typeparam>
/// <typeparam name="TResult">Result type.</typeparam>
public sealed class ItemKernel<TItem, TResult>(IItemKernel<TItem, TResult> kernel)
{
    /// <summary>The kernel's declaration, which the silos register under <see cref="Id"/>.</summary>
    public IItemKernel<TItem, TResult> Kernel { get; } = kernel ?? throw new ArgumentNullException(nameof(kernel));

    /// <summary>The id the kernel is registered under on the silos.</summary>
    public string Id => Kernel.Id;

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>Makes handles from kernel declarations, with the types inferred.</summary>
public static class KernelHandle
{
    /// <summary>The handle of range kernel <paramref name="kernel"/>.</summary>
    public static RangeKernel<TPartial> For<TPartial>(IRangeKernel<TPartial> kernel) => new(kernel);

    /// <summary>The handle of item kernel <paramref name="kernel"/>.</summary>
    public static ItemKernel<TItem, TResult> For<TItem, TResult>(IItemKernel<TItem, TResult> kernel) => new(kernel);
}

/// <summary>Handles of the kernels every GrainPool silo registers, made from <see cref="KernelCatalog"/>.</summary>
public static class BuiltInKernels
{
    /// <summary>Primes in a range by the segmented sieve.</summary>
    public static readonly RangeKernel<ulong> PrimeCountSieve = new(KernelCatalog.PrimeCountSieve);

    /// <summary>Primes in a range by Miller-Rabin on each candidate.</summary>
    public static readonly RangeKernel<ulong> PrimeCountMillerRabin = new(KernelCatalog.PrimeCountMillerRabin);

    /// <summary>Primes in a range by the tutorial's trial division on each number.</summary>
    public static readonly RangeKernel<ulong> PrimeCountTrial = new(KernelCatalog.PrimeCountTrial);

    /// <summary>Exact sqrt sums: 128-bit fixed point with 52 fractional bits (round once at the end with <see cref="SqrtSumPartial.ToDouble"/>).</summary>
    public static readonly RangeKernel<SqrtSumPartial> SqrtSum = new(KernelCatalog.SqrtSum);

    /// <summary>Exact sums of squares.</summary>
    public static readonly RangeKernel<UInt128> SquareSum = new(KernelCatalog.SquareSum);

    /// <summary>The tutorial's is_prime (trial division) per item.</summary>
    public static readonly ItemKernel<long, bool> IsPrimeTrial = new(KernelCatalog.IsPrimeTrial);

    /// <summary>Deterministic Miller-Rabin per item.</summary>
    public static readonly ItemKernel<long, bool> IsPrimeMillerRabin = new(KernelCatalog.IsPrimeMillerRabin);

    /// <summary>Deterministic Miller-Rabin per item over all of 0 .. 2^64-1.</summary>
    public static readonly ItemKernel<ulong, bool> IsPrimeMillerRabinUInt64 = new(KernelCatalog.IsPrimeMillerRabinUInt64);
}

/// <summary>
/// How a <see cref="SqrtSumPartial"/> (declared in GrainPool.Kernels, which has no Orleans) travels between silo and
/// client: its raw fixed-point value. Orleans' way for a type the serializer cannot annotate.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainPool.SqrtSumPartialSurrogate")]
public readonly struct SqrtSumPartialSurrogate
{
    /// <summary>The partial sum's fixed-point value.</summary>
    [Id(0)]
    public UInt128 Fixed { get; init; }
}

/// <summary>Converts <see cref="SqrtSumPartial"/> to and from its wire form.</summary>
[RegisterConverter]
public sealed class SqrtSumPartialConverter : IConverter<SqrtSumPartial, SqrtSumPartialSurrogate>
{
    /// <inheritdoc />
    public SqrtSumPartial ConvertFromSurrogate(in SqrtSumPartialSurrogate surrogate) => new(surrogate.Fixed);

    /// <inheritdoc />
    public SqrtSumPartialSurrogate ConvertToSurrogate(in SqrtSumPartial value) => new() { Fixed = value.Fixed };
}
