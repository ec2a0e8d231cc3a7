using System.Numerics;
using GrainPool.Kernels.Running;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>
/// The same job split into 1, 2, 7 and 64 chunks (even and random cuts, combined in order and shuffled), and run by the
/// in-process runner with explicit chunk sizes and worker counts, gives the identical result, equal to the reference.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ChunkingInvarianceTests
{
    private static readonly ulong SegmentSpan = PrimeCounting.SegmentSpan;

    private static readonly Lazy<ulong> PrimesInFirstSegments = new(() => ReferencePrimality.CountPrimes(0, (3 * SegmentSpan) + 12_345));
    private static readonly Lazy<ulong> PrimesAcrossSegmentsNear1e12 = new(() => ReferencePrimality.CountPrimes(999_999_998_766, 1_000_000_000_077 + (2 * SegmentSpan)));
    private static readonly Lazy<ulong> PrimesAtTheTop = new(() => ReferencePrimality.CountPrimes(ulong.MaxValue - 40_000, ulong.MaxValue));
    private static readonly Lazy<ulong> PrimesAroundTwoPow32 = new(() => ReferencePrimality.CountPrimes((1UL << 32) - 20_000, (1UL << 32) + 20_000));
    private static readonly Lazy<ulong> PrimesNearTwoPow32 = new(() => ReferencePrimality.CountPrimes((1UL << 32) - 5_000, (1UL << 32) + 5_000));
    private static readonly Lazy<BigInteger> SqrtSumAtTheTop = new(() => ExactSums.SqrtSumFixed(SqrtSum.MaxExclusive - 150_000, SqrtSum.MaxExclusive - 1));
    private static readonly Lazy<BigInteger> SqrtSumFromZero = new(() => ExactSums.SqrtSumFixed(0, 300_000));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void Sieve_prime_count_is_the_same_for_every_split(int parts)
    {
        var kernel = new PrimeCountKernel(PrimalityMethod.Sieve);

        AssertEverySplitGives(kernel, 0, (3 * SegmentSpan) + 12_345, parts, PrimesInFirstSegments.Value);
        AssertEverySplitGives(kernel, 999_999_998_766, 1_000_000_000_077 + (2 * SegmentSpan), parts, PrimesAcrossSegmentsNear1e12.Value);
        AssertEverySplitGives(kernel, ulong.MaxValue - 40_000, ulong.MaxValue, parts, PrimesAtTheTop.Value);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void Miller_rabin_and_trial_prime_counts_are_the_same_for_every_split(int parts)
    {
        AssertEverySplitGives(new PrimeCountKernel(PrimalityMethod.MillerRabin), ulong.MaxValue - 40_000, ulong.MaxValue, parts, PrimesAtTheTop.Value);
        AssertEverySplitGives(new PrimeCountKernel(PrimalityMethod.MillerRabin), (1UL << 32) - 20_000, (1UL << 32) + 20_000, parts, PrimesAroundTwoPow32.Value);
        AssertEverySplitGives(new PrimeCountKernel(PrimalityMethod.Trial), (1UL << 32) - 5_000, (1UL << 32) + 5_000, parts, PrimesNearTwoPow32.Value);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void Sqrt_sum_is_bit_identical_for_every_split(int parts)
    {
        var kernel = new SqrtSumKernel();

        AssertEverySplitGives(kernel, 0, 300_000, parts, new SqrtSumPartial((UInt128)SqrtSumFromZero.Value));
        AssertEverySplitGives(kernel, SqrtSum.MaxExclusive - 150_000, SqrtSum.MaxExclusive - 1, parts, new SqrtSumPartial((UInt128)SqrtSumAtTheTop.Value));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void Square_sum_is_the_same_for_every_split(int parts)
    {
        var kernel = new SquareSumKernel();

        AssertEverySplitGives(kernel, 0, 1_000_000, parts, (UInt128)ExactSums.SquareSum(0, 1_000_000));
        AssertEverySplitGives(kernel, (1UL << 32) - 300_000, (1UL << 32) + 300_000, parts, (UInt128)ExactSums.SquareSum((1UL << 32) - 300_000, (1UL << 32) + 300_000));
        AssertEverySplitGives(kernel, SquareSum.MaxExclusive - 100_000, SquareSum.MaxExclusive - 1, parts, (UInt128)ExactSums.SquareSum(SquareSum.MaxExclusive - 100_000, SquareSum.MaxExclusive - 1));
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(1, 65_536UL)]
    [InlineData(2, null)]
    [InlineData(2, 1_000_003UL)]
    [InlineData(3, 4_194_304UL)]
    [InlineData(8, 777_777UL)]
    public void Runner_prime_count_is_the_same_for_any_chunk_size_and_worker_count(int workers, ulong? chunkSize)
    {
        var runner = new InProcessRunner(workers);

        Assert.Equal(PrimesInFirstSegments.Value, runner.RunRange(new PrimeCountKernel(PrimalityMethod.Sieve), 0, (3 * SegmentSpan) + 12_345, chunkSize));
        Assert.Equal(PrimesAtTheTop.Value, runner.RunRange(new PrimeCountKernel(PrimalityMethod.Sieve), ulong.MaxValue - 40_000, ulong.MaxValue, chunkSize));
        Assert.Equal(PrimesAtTheTop.Value, runner.RunRange(new PrimeCountKernel(PrimalityMethod.MillerRabin), ulong.MaxValue - 40_000, ulong.MaxValue, chunkSize / 64));
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(1, 1UL)]
    [InlineData(2, null)]
    [InlineData(2, 3UL)]
    [InlineData(3, 4_097UL)]
    [InlineData(8, 65_536UL)]
    [InlineData(4, 300_001UL)]
    [InlineData(2, ulong.MaxValue)]
    public void Runner_sums_are_bit_identical_for_any_chunk_size_and_worker_count(int workers, ulong? chunkSize)
    {
        var runner = new InProcessRunner(workers);

        var sqrt = runner.RunRange(new SqrtSumKernel(), 0, 300_000, chunkSize);
        var squares = runner.RunRange(new SquareSumKernel(), (1UL << 32) - 300_000, (1UL << 32) + 300_000, chunkSize);

        Assert.Equal(SqrtSumFromZero.Value, (BigInteger)sqrt.Fixed);
        Assert.Equal(BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(SqrtSumFromZero.Value)), BitConverter.DoubleToInt64Bits(sqrt.ToDouble()));
        Assert.Equal(ExactSums.SquareSum((1UL << 32) - 300_000, (1UL << 32) + 300_000), (BigInteger)squares);
    }

    private static void AssertEverySplitGives<T>(IRangeKernel<T> kernel, ulong first, ulong last, int parts, T expected)
    {
        var random = new Random((parts * 7_919) + (int)(first % 1_000));
        foreach (var chunks in new[] { Ranges.SplitEvenly(first, last, parts), Ranges.SplitRandomly(first, last, parts, random) })
        {
            // The split itself: `parts` contiguous chunks covering [first, last].
            Assert.Equal(parts, chunks.Count);
            Assert.Equal(first, chunks[0].First);
            Assert.Equal(last, chunks[^1].Last);
            Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.Equal(pair.First.Last + 1, pair.Second.First));

            var partials = chunks.Select(chunk => kernel.Compute(chunk.First, chunk.Last)).ToList();
            var inOrder = partials.Aggregate(kernel.Zero, kernel.Combine);
            var shuffled = partials.OrderBy(_ => random.Next()).Aggregate(kernel.Zero, kernel.Combine);

            Assert.Equal(expected, inOrder);
            Assert.Equal(expected, shuffled);
            if (inOrder is SqrtSumPartial sum && expected is SqrtSumPartial expectedSum)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(expectedSum.Fixed)), BitConverter.DoubleToInt64Bits(sum.ToDouble()));
            }
        }
    }
}
