using BenchmarkDotNet.Attributes;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Benchmarks.Micro;

/// <summary>
/// The tutorial's is_prime (trial division) over 1..100,000, the workload of its Pool.map example: one thread, and
/// all cores through the in-process runner's map (Pool.map's counterpart). One operation is the whole range.
/// </summary>
public class SeedPrimalityBenchmarks
{
    public const int UpTo = 100_000;

    // pi(10^5), OEIS A006880; a wrong count means the figure is of a broken kernel.
    private const int PrimesUpTo = 9592;

    private readonly InProcessRunner _runner = new();
    private readonly IsPrimeKernel _kernel = new(PrimalityMethod.Trial);
    private long[] _numbers = [];
    private bool[] _results = [];

    [GlobalSetup]
    public void CreateNumbers()
    {
        _numbers = [.. Enumerable.Range(1, UpTo).Select(i => (long)i)];
        _results = new bool[UpTo];
        if (TrialTo100000SingleThread() != PrimesUpTo || TrialTo100000AllCoresMap() != PrimesUpTo)
        {
            throw new InvalidOperationException($"trial division did not find {PrimesUpTo} primes up to {UpTo}");
        }
    }

    [Benchmark]
    public int TrialTo100000SingleThread()
    {
        var primes = 0;
        for (long n = 1; n <= UpTo; n++)
        {
            if (SeedPrimality.IsPrime(n))
            {
                primes++;
            }
        }

        return primes;
    }

    [Benchmark]
    public int TrialTo100000AllCoresMap()
    {
        _runner.RunMap(_kernel, _numbers, _results);
        return _results.Count(isPrime => isPrime);
    }
}
