using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>
/// The three counting methods against each other and against the test suite's own sieve and reference Miller-Rabin (128-bit remainders):
/// tiny and degenerate ranges, ranges across the sieve's segment borders, random ranges, and ranges at the top of 64 bits.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PrimeCountingTests
{
    private const ulong TwoPow63 = 1UL << 63;

    // PrimeCounting.SegmentSpan is the number of integers one sieve segment covers.
    private static readonly ulong SegmentSpan = PrimeCounting.SegmentSpan;

    private static readonly PrimalityMethod[] AllMethods = [PrimalityMethod.Sieve, PrimalityMethod.MillerRabin, PrimalityMethod.Trial];

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(0UL, 1UL)]
    [InlineData(1UL, 1UL)]
    [InlineData(2UL, 2UL)]
    [InlineData(0UL, 2UL)]
    [InlineData(3UL, 3UL)]
    [InlineData(4UL, 4UL)]
    [InlineData(1UL, 2UL)]
    [InlineData(2UL, 3UL)]
    [InlineData(0UL, 3UL)]
    [InlineData(9UL, 9UL)]
    [InlineData(13UL, 13UL)]
    [InlineData(14UL, 16UL)]
    public void Every_method_counts_degenerate_ranges_like_the_reference(ulong first, ulong last)
    {
        var expected = ReferenceSieve.Shared.Count(first, last);

        Assert.All(AllMethods, method => Assert.Equal(expected, PrimeCounting.Count(first, last, method)));
    }

    [Fact]
    public void Every_method_agrees_with_the_reference_on_every_range_inside_0_to_200()
    {
        for (ulong first = 0; first <= 200; first++)
        {
            for (var last = first; last <= 200; last++)
            {
                var expected = ReferenceSieve.Shared.Count(first, last);
                foreach (var method in AllMethods)
                {
                    var actual = PrimeCounting.Count(first, last, method);
                    if (actual != expected)
                    {
                        Assert.Fail($"{method} counted {actual} primes in [{first}, {last}]; the reference sieve counts {expected}.");
                    }
                }
            }
        }
    }

    [Fact]
    public void Sieve_agrees_with_the_reference_on_small_ranges_just_wide_enough_to_be_sieved()
    {
        // Widths around a few hundred switch from one-by-one testing to the sieve; small starts exercise 1 and 3..13.
        for (ulong first = 0; first <= 140; first++)
        {
            foreach (ulong width in new ulong[] { 500, 509, 510, 511, 512, 513, 514, 515, 1000, 4096, 20_000 })
            {
                var last = first + width;
                Assert.Equal(ReferenceSieve.Shared.Count(first, last), PrimeCounting.CountBySieve(first, last));
            }
        }
    }

    [Fact]
    public void Sieve_agrees_with_the_reference_across_segment_borders()
    {
        var span = SegmentSpan;
        ulong[] firsts = [0, 1, 2, 3, 5, 63, 64, 65, 127, 128, 129, 130, 1001, 12_345, span - 129, span - 128, span - 1, span, span + 1, span + 2, (3 * span) + 77];
        ulong[] widths = [span - 3, span - 2, span - 1, span, span + 1, span + 2, span + 3, (2 * span) - 1, 2 * span, (2 * span) + 1, (3 * span) + 17, (5 * span) / 2];
        foreach (var first in firsts)
        {
            foreach (var width in widths)
            {
                var last = first + width;
                var expected = ReferenceSieve.Shared.Count(first, last);
                var actual = PrimeCounting.CountBySieve(first, last);
                if (actual != expected)
                {
                    Assert.Fail($"sieve counted {actual} primes in [{first}, {last}] (segment span {PrimeCounting.SegmentSpan}); the reference counts {expected}.");
                }
            }
        }
    }

    [Fact]
    public void Sieve_agrees_with_the_reference_across_segment_borders_near_1e12()
    {
        // Near 1e12 the reference window sieve is exact (sqrt is 1e6, inside the reference table).
        var span = SegmentSpan;
        const ulong origin = 1_000_000_000_000;
        foreach (var (offset, width) in new (ulong, ulong)[] { (0, span), (1, span + 1), (64, span - 1), (span - 64, 200), (span - 5, 10), (7, (2 * span) + 3) })
        {
            var first = origin + offset;
            var last = first + width;

            Assert.Equal(ReferencePrimality.CountPrimes(first, last), PrimeCounting.CountBySieve(first, last));
        }
    }

    [Fact]
    public void Sieve_and_miller_rabin_count_across_segment_borders_where_the_sieve_confirms_survivors_by_miller_rabin()
    {
        // Near 2^49 a range one segment wide sieves with base primes up to 4 x its width (~1.6e7), below sqrt(2^49)
        // (~2.4e7), so the sieve confirms its survivors with Miller-Rabin; the reference sieves the window with every
        // prime up to the root and needs no primality test, so it shares nothing with either kernel method.
        var span = SegmentSpan;
        const ulong origin = (1UL << 49) + 12_345;
        foreach (var (offset, width) in new (ulong, ulong)[] { (0, span + 1), (33, span - 1) })
        {
            var first = origin + offset;
            var last = first + width;
            var expected = ReferencePrimality.CountPrimes(first, last);

            Assert.Equal(expected, PrimeCounting.CountBySieve(first, last));
            Assert.Equal(expected, PrimeCounting.CountByMillerRabin(first, last));
        }
    }

    [Fact]
    public void Every_method_agrees_with_the_reference_on_random_small_ranges()
    {
        var random = new Random(20_240_611);
        for (var i = 0; i < 300; i++)
        {
            var width = Ranges.RandomBelow(random, i % 3 == 0 ? 2_000UL : 60_000UL);
            var first = Ranges.RandomBelow(random, ReferenceSieve.Limit - width);
            var last = first + width;
            var expected = ReferenceSieve.Shared.Count(first, last);

            Assert.Equal(expected, PrimeCounting.CountBySieve(first, last));
            Assert.Equal(expected, PrimeCounting.CountByMillerRabin(first, last));
            if (width <= 2_000)
            {
                Assert.Equal(expected, PrimeCounting.CountByTrialDivision(first, last));
            }
        }
    }

    [Theory]
    [InlineData(65_537UL)]
    [InlineData(65_539UL)]
    [InlineData(131_071UL)]
    [InlineData(262_147UL)]
    [InlineData(1_000_003UL)]
    public void Sieve_counts_ranges_that_end_or_start_at_the_square_of_a_prime_just_beyond_its_sieve_limit(ulong p)
    {
        // A narrow range high up sieves with primes below sqrt(last) only, about 4 * width of them but at least 2^16;
        // p^2 then survives the sieve and only the survivor check can reject it.
        Assert.True(ReferencePrimality.IsPrime(p));
        var square = p * p;
        foreach (ulong width in new ulong[] { 600, 4_000, 16_383, 16_384, 16_385, 65_536, 250_001 })
        {
            foreach (var (first, last) in new[] { (square - width, square), (square, square + width), (square - width, square + width) })
            {
                var expected = ReferencePrimality.CountPrimes(first, last);
                var actual = PrimeCounting.CountBySieve(first, last);
                if (actual != expected)
                {
                    Assert.Fail($"sieve counted {actual} primes in [{first}, {last}] (around {p}^2); the reference counts {expected}.");
                }
            }
        }
    }

    [Fact]
    public void Sieve_and_miller_rabin_agree_with_the_reference_on_random_ranges_up_to_1e14()
    {
        // sqrt(1e14) = 1e7 is inside the reference sieve, so the reference window is exact without Miller-Rabin.
        var random = new Random(7_919);
        for (var i = 0; i < 40; i++)
        {
            var width = Ranges.RandomBelow(random, 200_000);
            var first = Ranges.RandomBetween(random, ReferenceSieve.Limit, 100_000_000_000_000);
            var last = first + width;
            var expected = ReferencePrimality.CountPrimes(first, last);

            Assert.Equal(expected, PrimeCounting.CountBySieve(first, last));
            Assert.Equal(expected, PrimeCounting.CountByMillerRabin(first, last));
        }
    }

    [Fact]
    public void Sieve_and_miller_rabin_agree_with_the_reference_on_random_64_bit_ranges()
    {
        var random = new Random(104_729);
        for (var i = 0; i < 40; i++)
        {
            var width = Ranges.RandomBelow(random, i % 2 == 0 ? 600UL : 5_000UL);
            var first = Ranges.RandomBetween(random, 1UL << 40, ulong.MaxValue - width);
            var last = first + width;
            var expected = ReferencePrimality.CountPrimes(first, last);

            Assert.Equal(expected, PrimeCounting.CountBySieve(first, last));
            Assert.Equal(expected, PrimeCounting.CountByMillerRabin(first, last));
        }
    }

    [Fact]
    public void Sieve_counts_a_wide_range_where_base_primes_are_capped_like_the_reference()
    {
        // Wide and high: sqrt(2^56) = 2^28 is past MaxBasePrimeLimit (2^27), and the range is wide enough (4 x width >
        // 2^27) for the sieve to cross off primes up to that cap, then confirm survivors with Miller-Rabin. The reference
        // crosses off every prime up to 2^28 in a plain window, with no primality test.
        const ulong first = 1UL << 56;
        const ulong last = first + (PrimeCounting.MaxBasePrimeLimit / 4) + 1_000;

        Assert.Equal(ReferencePrimality.CountPrimes(first, last), PrimeCounting.CountBySieve(first, last));
    }

    [Fact]
    public void Sieve_and_miller_rabin_count_the_last_million_64_bit_values_like_the_reference()
    {
        const ulong first = ulong.MaxValue - 999_999; // [2^64 - 10^6, 2^64 - 1]

        var expected = ReferencePrimality.CountPrimes(first, ulong.MaxValue);

        Assert.Equal(expected, PrimeCounting.CountBySieve(first, ulong.MaxValue));
        Assert.Equal(expected, PrimeCounting.CountByMillerRabin(first, ulong.MaxValue));
    }

    [Fact]
    public void Sieve_and_miller_rabin_agree_with_the_reference_around_two_to_the_63()
    {
        // [2^63 - 1e5, 2^63 + 1e5] as one range, and the middle 4e4 values split at 2^63.
        var wide = ReferencePrimality.CountPrimes(TwoPow63 - 100_000, TwoPow63 + 100_000);
        Assert.Equal(wide, PrimeCounting.CountBySieve(TwoPow63 - 100_000, TwoPow63 + 100_000));
        Assert.Equal(wide, PrimeCounting.CountByMillerRabin(TwoPow63 - 100_000, TwoPow63 + 100_000));

        const ulong first = TwoPow63 - 20_000;
        const ulong last = TwoPow63 + 20_000;
        Assert.Equal(ReferencePrimality.CountPrimes(first, last), PrimeCounting.CountBySieve(first, last));
        Assert.Equal(ReferencePrimality.CountPrimes(first, last), PrimeCounting.CountByMillerRabin(first, last));
        Assert.Equal(ReferencePrimality.CountPrimes(first, TwoPow63 - 1), PrimeCounting.CountBySieve(first, TwoPow63 - 1));
        Assert.Equal(ReferencePrimality.CountPrimes(TwoPow63, last), PrimeCounting.CountBySieve(TwoPow63, last));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(57UL)]
    [InlineData(58UL)]
    [InlineData(59UL)]
    [InlineData(60UL)]
    [InlineData(511UL)]
    [InlineData(512UL)]
    [InlineData(513UL)]
    [InlineData(1_000UL)]
    [InlineData(65_537UL)]
    public void Sieve_and_miller_rabin_count_ranges_ending_at_the_largest_64_bit_value(ulong widthBelowTop)
    {
        var first = ulong.MaxValue - widthBelowTop;

        var expected = ReferencePrimality.CountPrimes(first, ulong.MaxValue);

        Assert.Equal(expected, PrimeCounting.Count(first, ulong.MaxValue, PrimalityMethod.Sieve));
        Assert.Equal(expected, PrimeCounting.Count(first, ulong.MaxValue, PrimalityMethod.MillerRabin));
    }

    [Fact]
    public void Sieve_and_miller_rabin_count_a_multi_segment_range_ending_at_the_largest_64_bit_value_like_the_reference()
    {
        var first = ulong.MaxValue - SegmentSpan - 3;
        var expected = ReferencePrimality.CountPrimes(first, ulong.MaxValue);

        Assert.Equal(expected, PrimeCounting.CountBySieve(first, ulong.MaxValue));
        Assert.Equal(expected, PrimeCounting.CountByMillerRabin(first, ulong.MaxValue));
    }

    [Fact]
    public void No_method_finds_a_prime_above_the_largest_primes_below_two_to_the_64_and_two_to_the_63()
    {
        // 2^64 - 59 is the largest 64-bit prime and 2^63 - 25 the largest prime below 2^63.
        Assert.True(ReferencePrimality.IsPrime(ulong.MaxValue - 58));
        Assert.True(ReferencePrimality.IsPrime(TwoPow63 - 25));

        Assert.Equal(0UL, PrimeCounting.Count(ulong.MaxValue - 57, ulong.MaxValue, PrimalityMethod.Sieve));
        Assert.Equal(0UL, PrimeCounting.Count(ulong.MaxValue - 57, ulong.MaxValue, PrimalityMethod.MillerRabin));
        Assert.Equal(1UL, PrimeCounting.Count(ulong.MaxValue - 58, ulong.MaxValue, PrimalityMethod.Sieve));
        Assert.Equal(1UL, PrimeCounting.Count(ulong.MaxValue - 58, ulong.MaxValue, PrimalityMethod.MillerRabin));
        Assert.Equal(0UL, PrimeCounting.Count(TwoPow63 - 24, TwoPow63 - 1, PrimalityMethod.Sieve));
        Assert.Equal(0UL, PrimeCounting.Count(TwoPow63 - 24, TwoPow63 - 1, PrimalityMethod.MillerRabin));
        Assert.Equal(1UL, PrimeCounting.Count(TwoPow63 - 25, TwoPow63 - 1, PrimalityMethod.Sieve));
        Assert.Equal(1UL, PrimeCounting.Count(TwoPow63 - 25, TwoPow63 - 1, PrimalityMethod.MillerRabin));
    }

    [Fact]
    public void Trial_division_counting_agrees_with_the_reference_around_two_to_the_32()
    {
        // The seed's trial division switches from 32-bit to 64-bit operands at 2^32.
        const ulong first = (1UL << 32) - 2_000;
        const ulong last = (1UL << 32) + 2_000;

        var expected = ReferencePrimality.CountPrimes(first, last);

        Assert.Equal(expected, PrimeCounting.Count(first, last, PrimalityMethod.Trial));
        Assert.Equal(expected, PrimeCounting.Count(first, last, PrimalityMethod.Sieve));
        Assert.Equal(expected, PrimeCounting.Count(first, last, PrimalityMethod.MillerRabin));
    }

    [Fact]
    public void Reference_counts_agree_with_each_other_where_they_overlap()
    {
        // The test's own references must agree before they judge the kernels: the bool[] table, the window sieve run on
        // ranges the table covers, and reference Miller-Rabin (128-bit remainders) one value at a time.
        var random = new Random(31);
        for (var i = 0; i < 20; i++)
        {
            var width = Ranges.RandomBelow(random, 100_000);
            var first = Ranges.RandomBelow(random, ReferenceSieve.Limit - width);
            var last = first + width;
            var expected = ReferenceSieve.Shared.Count(first, last);

            var oneByOne = Enumerable.Range(0, (int)width + 1).Count(offset => ReferencePrimality.IsPrime(first + (ulong)offset));

            Assert.Equal(expected, ReferencePrimality.CountPrimesInWindow(first, last));
            Assert.Equal(expected, (ulong)oneByOne);
        }

        // 2^56: the window sieves its own base primes up to 2^28 (past the table) and tests nothing one by one.
        foreach (var first in new ulong[] { 1_000_000_000_000, 1UL << 56, (1UL << 62) + 1, ulong.MaxValue - 5_000 })
        {
            var last = first + 5_000;
            var oneByOne = Enumerable.Range(0, 5_001).Count(offset => ReferencePrimality.IsPrime(first + (ulong)offset));
            Assert.Equal((ulong)oneByOne, ReferencePrimality.CountPrimesInWindow(first, last));
        }
    }
}
