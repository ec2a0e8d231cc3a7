using System.Numerics;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>
/// SqrtSum against the BigInteger reference (each term's exact value scaled by 2^52, summed exactly, rounded by the
/// test's own code), and SqrtSumPartial.ToDouble on hand-built values on and beside half-way points.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class SqrtSumTests
{
    private const ulong Top = SqrtSum.MaxExclusive - 1;

    public static TheoryData<ulong, ulong> EdgeRanges => new()
    {
        { 0, 0 },
        { 0, 1 },
        { 1, 1 },
        { 2, 2 },
        { 0, 4_095 },
        { 0, 4_096 },
        { 0, 4_097 },
        { 4_095, 8_193 },
        { 1UL << 32, (1UL << 32) + 10_000 },
        { (1UL << 40) - 5_000, (1UL << 40) + 5_000 },
        { Top, Top },
        { Top - 12_289, Top },
    };

    [Theory]
    [MemberData(nameof(EdgeRanges))]
    public void Partial_is_the_exact_fixed_point_sum_on_edge_ranges(ulong first, ulong last) => AssertMatchesReference(first, last);

    [Fact]
    public void Partial_is_the_exact_fixed_point_sum_on_random_ranges()
    {
        var random = new Random(161_803);
        for (var i = 0; i < 150; i++)
        {
            var width = Ranges.RandomBelow(random, 10_000);
            var first = Ranges.RandomBelow(random, (SqrtSum.MaxExclusive - width) >> random.Next(0, 50));
            AssertMatchesReference(first, first + width);
        }
    }

    [Fact]
    public void Tutorial_of_zero_is_the_empty_sum()
    {
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SqrtSum.Tutorial(0)));
        Assert.Equal(UInt128.Zero, SqrtSumPartial.Zero.Fixed);
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(SqrtSumPartial.Zero.ToDouble()));
    }

    [Fact]
    public void Fraction_bits_constant_matches_the_reference_scale() => Assert.Equal(ExactSums.FractionBits, SqrtSumPartial.FractionBits);

    [Fact]
    public void To_double_rounds_exact_half_way_values_to_even_and_others_to_nearest()
    {
        var random = new Random(52);
        ulong[] significands = [1UL << 52, (1UL << 52) + 1, (1UL << 52) + 2, (1UL << 53) - 2, (1UL << 53) - 1, 0x1_2345_6789_ABCDEUL, 0x1_FFFF_0000_0000_1UL];
        int[] shifts = [1, 2, 3, 11, 52, 53, 63, 64, 65, 74, 75];
        foreach (var significand in significands.Concat(Enumerable.Range(0, 20).Select(_ => (1UL << 52) | Ranges.RandomBelow(random, 1UL << 52))))
        {
            Assert.InRange(significand, 1UL << 52, (1UL << 53) - 1);
            foreach (var shift in shifts)
            {
                var one = UInt128.One << shift;
                var half = UInt128.One << (shift - 1);
                var baseValue = (UInt128)significand << shift;
                var roundedUp = significand + 1; // may be 2^53, which still scales exactly
                var tieWinner = (significand & 1) == 0 ? significand : roundedUp;

                AssertRoundsTo(baseValue, significand, shift);
                AssertRoundsTo(baseValue + 1, shift == 1 ? tieWinner : significand, shift);
                AssertRoundsTo(baseValue + half - 1, significand, shift);
                AssertRoundsTo(baseValue + half, tieWinner, shift);
                AssertRoundsTo(baseValue + one - 1, shift == 1 ? tieWinner : roundedUp, shift);
                if (shift > 1)
                {
                    AssertRoundsTo(baseValue + half + 1, roundedUp, shift);
                }
            }
        }
    }

    [Fact]
    public void To_double_is_exact_for_values_of_at_most_53_bits()
    {
        var random = new Random(53);
        foreach (var value in new ulong[] { 1, 2, 3, (1UL << 52) - 1, 1UL << 52, (1UL << 52) + 1, (1UL << 53) - 1 }
                     .Concat(Enumerable.Range(0, 200).Select(_ => Ranges.RandomBelow(random, 1UL << 53) + 1)))
        {
            var partial = new SqrtSumPartial(value);
            Assert.Equal(BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(value)), BitConverter.DoubleToInt64Bits(partial.ToDouble()));
            Assert.Equal(BitConverter.DoubleToInt64Bits(ExactSums.ParseExactDecimal(value)), BitConverter.DoubleToInt64Bits(partial.ToDouble()));
        }
    }

    [Fact]
    public void To_double_of_the_largest_fixed_value_rounds_up_to_two_to_the_76()
    {
        var partial = new SqrtSumPartial(UInt128.MaxValue);

        Assert.Equal(BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(UInt128.MaxValue)), BitConverter.DoubleToInt64Bits(partial.ToDouble()));
        Assert.Equal(BitConverter.DoubleToInt64Bits(ExactSums.ParseExactDecimal(UInt128.MaxValue)), BitConverter.DoubleToInt64Bits(partial.ToDouble()));
    }

    [Fact]
    public void To_double_matches_the_reference_rounding_on_random_fixed_values()
    {
        var random = new Random(128);
        for (var i = 0; i < 5_000; i++)
        {
            var value = ((UInt128)Ranges.NextUInt64(random) << 64 | Ranges.NextUInt64(random)) >> random.Next(0, 127);
            if (value == UInt128.Zero)
            {
                continue;
            }

            Assert.Equal(BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(value)), BitConverter.DoubleToInt64Bits(new SqrtSumPartial(value).ToDouble()));
        }
    }

    [Fact]
    public void Reference_rounding_agrees_with_correctly_rounded_decimal_parsing()
    {
        // The test's own rounding is checked against a second, unrelated oracle before it judges the kernel.
        var random = new Random(10);
        for (var i = 0; i < 2_000; i++)
        {
            var value = ((UInt128)Ranges.NextUInt64(random) << 64 | Ranges.NextUInt64(random)) >> random.Next(0, 127);
            var significand = (UInt128)((1UL << 52) | Ranges.RandomBelow(random, 1UL << 52));
            var shift = random.Next(1, 75);
            var tie = (significand << shift) + (UInt128.One << (shift - 1));
            foreach (var fixedValue in new[] { value, tie, tie - 1, tie + 1 })
            {
                if (fixedValue != UInt128.Zero)
                {
                    Assert.Equal(
                        BitConverter.DoubleToInt64Bits(ExactSums.ParseExactDecimal(fixedValue)),
                        BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(fixedValue)));
                }
            }
        }
    }

    private static void AssertMatchesReference(ulong first, ulong last)
    {
        var expected = ExactSums.SqrtSumFixed(first, last);

        var partial = SqrtSum.Partial(first, last);

        if ((BigInteger)partial.Fixed != expected)
        {
            Assert.Fail($"SqrtSum.Partial({first}, {last}).Fixed = {partial.Fixed}; the exact sum * 2^52 is {expected}.");
        }

        var expectedBits = BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(expected));
        Assert.Equal(expectedBits, BitConverter.DoubleToInt64Bits(partial.ToDouble()));
        Assert.Equal(expectedBits, BitConverter.DoubleToInt64Bits(SqrtSum.Compute(first, last)));
    }

    // significand * 2^(shift - 52), built from bits: the value a correct rounding must produce.
    private static void AssertRoundsTo(UInt128 fixedValue, ulong significand, int shift)
    {
        var expected = significand == 1UL << 53
            ? BitConverter.Int64BitsToDouble((long)(shift + 1 + 1023) << 52)
            : BitConverter.Int64BitsToDouble(((long)(shift + 1023) << 52) | (long)(significand - (1UL << 52)));

        var actual = new SqrtSumPartial(fixedValue).ToDouble();

        if (BitConverter.DoubleToInt64Bits(actual) != BitConverter.DoubleToInt64Bits(expected))
        {
            Assert.Fail($"new SqrtSumPartial({fixedValue}).ToDouble() = {actual:R}; rounding to nearest, ties to even, gives {expected:R}.");
        }

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(fixedValue)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(ExactSums.ParseExactDecimal(fixedValue)));
    }
}
