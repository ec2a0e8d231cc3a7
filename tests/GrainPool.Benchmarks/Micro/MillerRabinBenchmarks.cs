using BenchmarkDotNet.Attributes;
using GrainPool.Kernels;

namespace GrainPool.Benchmarks.Micro;

/// <summary>Which 64-bit numbers Miller-Rabin is given: composites mostly leave at trial division, primes pay all seven bases.</summary>
public enum NumberKind
{
    /// <summary>Uniform over 0 .. 2^64-1 (half even: most leave at the first test).</summary>
    Random,

    /// <summary>Uniform odd numbers.</summary>
    RandomOdd,

    /// <summary>Uniform primes (the worst case: every base runs).</summary>
    RandomPrime,
}

/// <summary>Miller-Rabin throughput: ns per number over a fixed batch of random 64-bit values (fixed seed).</summary>
// BenchmarkDotNet derives a runnable class from each benchmark class, so these are not sealed.
public class MillerRabinBenchmarks
{
    public const int BatchSize = 4096;
    private const int Seed = 20_240_601;

    private ulong[] _numbers = [];

    [Params(NumberKind.Random, NumberKind.RandomOdd, NumberKind.RandomPrime)]
    public NumberKind Kind { get; set; }

    [GlobalSetup]
    public void CreateNumbers()
    {
        var random = new Random(Seed);
        _numbers = new ulong[BatchSize];
        for (var i = 0; i < _numbers.Length; i++)
        {
            var n = NextUInt64(random);
            switch (Kind)
            {
                case NumberKind.RandomOdd:
                    n |= 1;
                    break;
                case NumberKind.RandomPrime:
                    // Input selection only (the correctness of IsPrime is the tests' business, not the benchmark's).
                    while (!MillerRabin.IsPrime(n))
                    {
                        n = NextUInt64(random) | 1;
                    }

                    break;
            }

            _numbers[i] = n;
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize)]
    public int IsPrime64PerNumber()
    {
        var primes = 0;
        foreach (var n in _numbers)
        {
            if (MillerRabin.IsPrime(n))
            {
                primes++;
            }
        }

        return primes;
    }

    private static ulong NextUInt64(Random random) => unchecked((ulong)random.NextInt64() << 1 ^ (ulong)random.Next(2));
}
