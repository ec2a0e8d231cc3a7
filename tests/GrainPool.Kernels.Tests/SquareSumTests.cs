using System.Numerics;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>SquareSum against the closed form n(n-1)(2n-1)/6 in BigInteger.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class SquareSumTests
{
    private const ulong Top = SquareSum.MaxExclusive - 1;
    private const ulong TwoPow32 = 1UL << 32;

    public static TheoryData<ulong, ulong> EdgeRanges => new()
    {
        { 0, 0 },
        { 0, 1 },
        { 1, 1 },
        { 0, 1_023 },
        { 0, 1_024 },
        { 1_023, 2_049 },
        { TwoPow32 - 1, TwoPow32 - 1 },
        { TwoPow32, TwoPow32 },
        { TwoPow32 - 5_000, TwoPow32 + 5_000 },
        { TwoPow32 - 1_024, TwoPow32 - 1 },
        { (1UL << 40) - 3, (1UL << 40) + 3 },
        { Top, Top },
        { Top - 100_000, Top },
    };

    [Theory]
    [MemberData(nameof(EdgeRanges))]
    public void Partial_matches_the_closed_form_on_edge_ranges(ulong first, ulong last) =>
        Assert.Equal(ExactSums.SquareSum(first, last), (BigInteger)SquareSum.Partial(first, last));

    [Fact]
    public void Partial_matches_the_closed_form_on_random_ranges()
    {
        var random = new Random(333_333);
        for (var i = 0; i < 300; i++)
        {
            var width = Ranges.RandomBelow(random, 20_000);
            var first = Ranges.RandomBelow(random, (SquareSum.MaxExclusive - width) >> random.Next(0, 44));
            var last = first + width;
            Assert.Equal(ExactSums.SquareSum(first, last), (BigInteger)SquareSum.Partial(first, last));
        }
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(10UL)]
    [InlineData(1_000_000UL)]
    [InlineData(100_000_000UL)] // the sum passes 2^64 early on: the 64-bit block sums must carry
    public void Tutorial_matches_the_closed_form(ulong n) =>
        Assert.Equal(ExactSums.SquareSumBelow(n), (BigInteger)SquareSum.Tutorial(n));

    [Fact]
    public void Closed_form_reference_matches_direct_summation()
    {
        var direct = BigInteger.Zero;
        for (ulong i = 0; i < 5_000; i++)
        {
            Assert.Equal(direct, ExactSums.SquareSumBelow(i));
            direct += (BigInteger)i * i;
        }
    }

    [Fact]
    public void Whole_domain_sum_fits_128_bits()
    {
        // The documented bound: the sum over [0, MaxExclusive) is below 2^128, and one more term would not matter for it.
        Assert.True(ExactSums.SquareSumBelow(SquareSum.MaxExclusive) <= (BigInteger)UInt128.MaxValue);
    }
}
