using BenchmarkDotNet.Attributes;
using GrainPool.Kernels;

namespace GrainPool.Benchmarks.Micro;

/// <summary>pi(10^8) by the segmented sieve on one thread; one operation is the whole count.</summary>
public class PrimeCountingBenchmarks
{
    public const ulong Limit = 100_000_000;

    // pi(10^8), OEIS A006880.
    private const ulong PrimesUpTo = 5_761_455;

    [GlobalSetup]
    public void Check()
    {
        if (SieveTo1e8SingleThread() != PrimesUpTo)
        {
            throw new InvalidOperationException($"the sieve did not find {PrimesUpTo} primes up to {Limit}");
        }
    }

    [Benchmark]
    public ulong SieveTo1e8SingleThread() => PrimeCounting.CountBySieve(0, Limit);
}
