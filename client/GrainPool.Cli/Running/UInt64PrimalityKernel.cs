using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Running;

/// <summary>
/// Deterministic Miller-Rabin on each item over the whole unsigned 64-bit range (the kernels' <see cref="IsPrimeKernel"/>
/// takes signed items, so it stops at 2^63-1; is-prime takes values up to 2^64-1).
/// </summary>
internal sealed class UInt64PrimalityKernel : IItemKernel<ulong, bool>
{
    /// <inheritdoc />
    public string Name => "is-prime-miller-rabin-u64";

    /// <inheritdoc />
    public bool Compute(ulong item) => MillerRabin.IsPrime(item);
}
