using System.Numerics;
using GrainPool.Kernels.Running;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>
/// Miller-Rabin (and its Montgomery arithmetic) and the seed's trial division against the test suite's sieve table and
/// its reference Miller-Rabin (128-bit remainders, first 12 prime bases): random 64-bit values, the edges of 2^32, 2^63 and 2^64, and the composites that fool
/// weaker tests (Carmichael numbers, strong pseudoprimes, squares and products of large primes).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class MillerRabinTests
{
    private const ulong TwoPow32 = 1UL << 32;
    private const ulong TwoPow63 = 1UL << 63;

    // The smallest strong pseudoprimes to the first k prime bases (OEIS A014233), with k: each fools Miller-Rabin
    // restricted to those k bases, so a test that stopped there would call it prime.
    public static TheoryData<ulong, int> StrongPseudoprimesToFirstPrimeBases => new()
    {
        { 2_047, 1 },
        { 1_373_653, 2 },
        { 25_326_001, 3 },
        { 3_215_031_751, 4 },
        { 2_152_302_898_747, 5 },
        { 3_474_749_660_383, 6 },
        { 341_550_071_728_321, 8 },
        { 3_825_123_056_546_413_051, 11 },
    };

    [Fact]
    public void Miller_rabin_agrees_with_the_reference_sieve_for_every_value_up_to_three_million()
    {
        for (ulong n = 0; n <= 3_000_000; n++)
        {
            if (MillerRabin.IsPrime(n) != ReferenceSieve.Shared.IsPrime(n))
            {
                Assert.Fail($"MillerRabin.IsPrime({n}) = {MillerRabin.IsPrime(n)}; the reference sieve says {ReferenceSieve.Shared.IsPrime(n)}.");
            }
        }
    }

    [Fact]
    public void Miller_rabin_agrees_with_the_big_integer_reference_on_random_64_bit_values()
    {
        var random = new Random(424_242);
        for (var i = 0; i < 20_000; i++)
        {
            // Uniform values are mostly huge; also draw every bit length so that small and mid-size values get their share.
            var n = i % 2 == 0 ? Ranges.NextUInt64(random) : Ranges.NextUInt64(random) >> random.Next(0, 64);
            AssertAgreesWithReference(i % 4 == 1 ? n | 1 : n);
        }
    }

    [Fact]
    public void Miller_rabin_recognises_random_64_bit_primes_and_rejects_their_odd_neighbours()
    {
        var random = new Random(99_991);
        var found = 0;
        while (found < 300)
        {
            var n = Ranges.NextUInt64(random) >> random.Next(0, 40) | 1;
            for (; n < ulong.MaxValue - 2 && !ReferencePrimality.IsPrime(n); n += 2)
            {
            }

            if (!ReferencePrimality.IsPrime(n))
            {
                continue;
            }

            found++;
            Assert.True(MillerRabin.IsPrime(n), $"{n} is prime (reference Miller-Rabin (128-bit remainders), 12 bases) but MillerRabin.IsPrime says composite.");
            AssertAgreesWithReference(n - 2);
            AssertAgreesWithReference(n + 2);
        }
    }

    [Fact]
    public void Miller_rabin_agrees_with_the_reference_on_the_values_below_two_to_the_64()
    {
        for (var n = ulong.MaxValue - 3_000; ; n++)
        {
            AssertAgreesWithReference(n);
            if (n == ulong.MaxValue)
            {
                break;
            }
        }

        // 2^64 - 59 is the largest 64-bit prime.
        Assert.True(MillerRabin.IsPrime(ulong.MaxValue - 58));
        Assert.True(ReferencePrimality.IsPrime(ulong.MaxValue - 58));
        for (var n = ulong.MaxValue - 57; n != 0; n++)
        {
            Assert.False(MillerRabin.IsPrime(n), $"{n} is above 2^64 - 59, the largest 64-bit prime");
        }
    }

    [Fact]
    public void Miller_rabin_agrees_with_the_reference_on_the_values_around_two_to_the_63()
    {
        for (var n = TwoPow63 - 3_000; n <= TwoPow63 + 3_000; n++)
        {
            AssertAgreesWithReference(n);
        }

        // 2^63 - 25 is the largest prime below 2^63.
        Assert.True(MillerRabin.IsPrime(TwoPow63 - 25));
        for (var n = TwoPow63 - 24; n < TwoPow63; n++)
        {
            Assert.False(MillerRabin.IsPrime(n), $"{n} is above 2^63 - 25, the largest prime below 2^63");
        }
    }

    [Theory]
    [InlineData(TwoPow32)]
    [InlineData(4_759_123_141UL)] // below this the kernel uses bases 2, 7, 61 only (Jaeschke)
    [InlineData(1UL << 53)]
    public void Miller_rabin_agrees_with_the_reference_around_its_internal_switch_points(ulong centre)
    {
        for (var n = centre - 2_000; n <= centre + 2_000; n++)
        {
            AssertAgreesWithReference(n);
        }
    }

    [Fact]
    public void Jaeschke_bound_is_a_strong_pseudoprime_to_bases_2_7_61_and_miller_rabin_rejects_it()
    {
        // 4759123141 = 48781 * 97561 fools bases 2, 7 and 61 together; it is the first value the kernel's 32-bit base set may not see.
        const ulong n = 4_759_123_141;

        Assert.Equal([48_781UL, 97_561UL], ReferencePrimality.Factor(n));
        Assert.All(new ulong[] { 2, 7, 61 }, a => Assert.True(ReferencePrimality.IsStrongProbablePrime(n, a)));
        Assert.False(MillerRabin.IsPrime(n));
    }

    [Theory]
    [MemberData(nameof(StrongPseudoprimesToFirstPrimeBases))]
    public void Strong_pseudoprimes_to_the_first_prime_bases_are_composite(ulong n, int bases)
    {
        // Reading the table right: n really is composite and really fools the first k prime bases.
        Assert.True(ReferencePrimality.Factor(n).Count > 1, $"{n} should be composite");
        for (var i = 0; i < bases; i++)
        {
            var a = ReferencePrimality.FirstTwelvePrimes[i];
            Assert.True(ReferencePrimality.IsStrongProbablePrime(n, a), $"{n} should be a strong pseudoprime to base {a}");
            Assert.True(MillerRabin.IsStrongProbablePrime(n, a), $"the kernel's strong test to base {a} should pass {n}");
        }

        Assert.False(ReferencePrimality.IsPrime(n));
        Assert.False(MillerRabin.IsPrime(n));
        Assert.False(SeedPrimality.IsPrime((long)n));
    }

    [Theory]
    [InlineData(1_093UL)]
    [InlineData(3_511UL)]
    public void Squares_of_wieferich_primes_fool_base_2_but_not_miller_rabin(ulong wieferich)
    {
        var n = wieferich * wieferich;

        Assert.True(ReferencePrimality.IsStrongProbablePrime(n, 2));
        Assert.True(MillerRabin.IsStrongProbablePrime(n, 2));
        Assert.False(MillerRabin.IsPrime(n));
        Assert.False(SeedPrimality.IsPrime((long)n));
    }

    [Theory]
    [InlineData(561UL)]
    [InlineData(1_105UL)]
    [InlineData(1_729UL)]
    [InlineData(2_465UL)]
    [InlineData(2_821UL)]
    [InlineData(6_601UL)]
    [InlineData(8_911UL)]
    [InlineData(10_585UL)]
    [InlineData(15_841UL)]
    [InlineData(29_341UL)]
    [InlineData(41_041UL)]
    [InlineData(46_657UL)]
    [InlineData(52_633UL)]
    [InlineData(62_745UL)]
    [InlineData(63_973UL)]
    [InlineData(75_361UL)]
    [InlineData(101_101UL)]
    [InlineData(115_921UL)]
    [InlineData(126_217UL)]
    [InlineData(162_401UL)]
    [InlineData(172_081UL)]
    [InlineData(188_461UL)]
    [InlineData(252_601UL)]
    [InlineData(278_545UL)]
    [InlineData(294_409UL)]
    [InlineData(314_821UL)]
    [InlineData(334_153UL)]
    [InlineData(340_561UL)]
    [InlineData(399_001UL)]
    [InlineData(410_041UL)]
    [InlineData(449_065UL)]
    [InlineData(488_881UL)]
    [InlineData(512_461UL)]
    public void Carmichael_numbers_are_composite(ulong n)
    {
        AssertIsCarmichael(n, ReferencePrimality.Factor(n));

        Assert.False(MillerRabin.IsPrime(n));
        Assert.False(SeedPrimality.IsPrime((long)n));
        Assert.Equal(0UL, PrimeCounting.Count(n, n, PrimalityMethod.Sieve));
    }

    [Fact]
    public void Large_chernick_carmichael_numbers_up_to_two_to_the_64_are_composite()
    {
        // Chernick: if 6k+1, 12k+1 and 18k+1 are all prime, their product is a Carmichael number. Take the largest
        // products that fit 64 bits, plus a spread of smaller ones.
        var checkedCount = 0;
        var aboveTwoPow63 = 0;
        for (ulong k = 242_000; k > 0 && checkedCount < 40; k = k > 200_000 ? k - 1 : k * 9 / 10)
        {
            ulong[] factors = [(6 * k) + 1, (12 * k) + 1, (18 * k) + 1];
            var product = (UInt128)factors[0] * factors[1] * factors[2];
            if (product > ulong.MaxValue || !factors.All(ReferencePrimality.IsPrime))
            {
                continue;
            }

            var n = (ulong)product;
            AssertIsCarmichael(n, [.. factors]);
            Assert.False(ReferencePrimality.IsPrime(n));
            Assert.False(MillerRabin.IsPrime(n), $"{n} = {factors[0]} * {factors[1]} * {factors[2]} is a Carmichael number");
            checkedCount++;
            aboveTwoPow63 += n > TwoPow63 ? 1 : 0;
        }

        Assert.True(checkedCount >= 10, $"expected at least 10 Chernick numbers below 2^64, found {checkedCount}");
        Assert.True(aboveTwoPow63 >= 3, $"expected at least 3 Chernick numbers above 2^63, found {aboveTwoPow63}");
    }

    [Fact]
    public void Squares_and_products_of_primes_near_two_to_the_32_are_composite()
    {
        var below = PrimesDownFrom(TwoPow32 - 1, 12);
        var above = PrimesUpFrom(TwoPow32 + 1, 6);
        Assert.Equal(TwoPow32 - 5, below[0]); // 2^32 - 5 is the largest 32-bit prime

        var composites = new List<(ulong N, string Why)>();
        foreach (var p in below)
        {
            composites.Add((p * p, $"{p}^2"));
        }

        foreach (var p in below.Concat(above))
        {
            foreach (var q in below)
            {
                var product = (UInt128)p * q;
                if (p != q && product <= ulong.MaxValue)
                {
                    composites.Add(((ulong)product, $"{p} * {q}"));
                }
            }
        }

        Assert.True(composites.Count > 80, $"expected many such composites, built {composites.Count}");
        Assert.All(composites, c =>
        {
            Assert.False(MillerRabin.IsPrime(c.N), $"{c.N} = {c.Why} is composite");
            Assert.False(ReferencePrimality.IsPrime(c.N));
            Assert.Equal(0UL, PrimeCounting.Count(c.N, c.N, PrimalityMethod.Sieve));
        });
    }

    [Fact]
    public void Squares_of_random_32_bit_primes_are_composite()
    {
        var random = new Random(65_521);
        for (var i = 0; i < 200; i++)
        {
            var p = PrimesUpFrom(Ranges.RandomBetween(random, 2, TwoPow32 - 6), 1)[0];
            Assert.False(MillerRabin.IsPrime(p * p), $"{p}^2 = {p * p} is composite");
            Assert.True(MillerRabin.IsPrime(p), $"{p} is prime");
        }
    }

    [Fact]
    public void Kernel_strong_test_agrees_with_the_big_integer_strong_test_on_random_odd_values_and_bases()
    {
        var random = new Random(1_373_653);
        for (var i = 0; i < 4_000; i++)
        {
            var n = (Ranges.NextUInt64(random) >> random.Next(0, 60)) | 1;
            if (n < 5)
            {
                continue; // bases are drawn from [2, n - 2]
            }

            var a = Ranges.RandomBetween(random, 2, n - 2);
            var expected = ReferencePrimality.IsStrongProbablePrime(n, a);
            if (MillerRabin.IsStrongProbablePrime(n, a) != expected)
            {
                Assert.Fail($"MillerRabin.IsStrongProbablePrime({n}, {a}) = {!expected}; the BigInteger strong test says {expected}.");
            }
        }
    }

    [Fact]
    public void Montgomery_arithmetic_matches_big_integer_arithmetic()
    {
        var random = new Random(2_718_281);
        var moduli = new List<ulong> { 3, 5, 7, 9, 15, 1_681, TwoPow32 - 5, TwoPow32 + 1, TwoPow63 - 25, TwoPow63 + 1, ulong.MaxValue - 58, ulong.MaxValue - 2, ulong.MaxValue };
        for (var i = 0; i < 300; i++)
        {
            moduli.Add((Ranges.NextUInt64(random) >> random.Next(0, 62)) | 1);
        }

        foreach (var n in moduli.Where(m => m >= 3))
        {
            var modulus = new BigInteger(n);
            var mont = new Montgomery64(n);
            Assert.Equal((ulong)((BigInteger.One << 64) % modulus), mont.One);
            for (var j = 0; j < 20; j++)
            {
                var a = Ranges.RandomBelow(random, n);
                var b = j == 0 ? n - 1 : Ranges.RandomBelow(random, n);
                var e = Ranges.NextUInt64(random) >> random.Next(0, 64);

                // Multiplying by plain 1 takes a value out of Montgomery form.
                var product = mont.Multiply(mont.Multiply(mont.ToMontgomery(a), mont.ToMontgomery(b)), 1);
                var power = mont.Multiply(mont.Pow(mont.ToMontgomery(a), e), 1);

                Assert.Equal((ulong)(new BigInteger(a) * b % modulus), product);
                Assert.Equal((ulong)BigInteger.ModPow(a, e, modulus), power);
            }
        }
    }

    [Fact]
    public void Seed_trial_division_and_miller_rabin_agree_with_the_references_up_to_1e12()
    {
        var random = new Random(1_000_003);
        var values = new List<long>();
        for (var i = 0; i < 400; i++)
        {
            values.Add(random.NextInt64(0, 1_000_000_000_001L >> random.Next(0, 36)));
        }

        // Primes near 1e12 make the seed divide all the way to the root; squares of primes test the loop's last step.
        values.AddRange(PrimesDownFrom(1_000_000_000_000, 30).Select(p => (long)p));
        values.AddRange(PrimesUpFrom(999_000_000_000, 10).Select(p => (long)p));
        foreach (ulong p in new ulong[] { 2, 3, 5, 7, 11, 13, 65_521, 65_537, 999_983 })
        {
            values.Add((long)(p * p));
            values.Add((long)(p * p) - 1);
            values.Add((long)(p * p) + 1);
        }

        // The seed switches from 32-bit to 64-bit operands at 2^32.
        for (var n = (long)TwoPow32 - 300; n <= (long)TwoPow32 + 300; n++)
        {
            values.Add(n);
        }

        for (var n = (long)int.MaxValue - 100; n <= (long)int.MaxValue + 100; n++)
        {
            values.Add(n);
        }

        var byTrial = new IsPrimeKernel(PrimalityMethod.Trial);
        var byMillerRabin = new IsPrimeKernel(PrimalityMethod.MillerRabin);
        Assert.All(values, n =>
        {
            var expected = ReferencePrimality.IsPrime((ulong)n);
            Assert.Equal(expected, ReferencePrimality.IsPrimeByTrialDivision((ulong)n));
            Assert.Equal(expected, SeedPrimality.IsPrime(n));
            Assert.Equal(expected, byTrial.Compute(n));
            Assert.Equal(expected, byMillerRabin.Compute(n));
            Assert.Equal(expected, MillerRabin.IsPrime((ulong)n));
        });
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(long.MinValue + 1)]
    [InlineData(-9_223_372_036_854_775_783L)] // -(2^63 - 25), minus the largest prime below 2^63
    [InlineData(-97L)]
    [InlineData(-7L)]
    [InlineData(-3L)]
    [InlineData(-2L)]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(1L)]
    public void Negatives_zero_and_one_are_not_prime(long n)
    {
        Assert.False(SeedPrimality.IsPrime(n));
        Assert.False(new IsPrimeKernel(PrimalityMethod.Trial).Compute(n));
        Assert.False(new IsPrimeKernel(PrimalityMethod.MillerRabin).Compute(n));
        if (n >= 0)
        {
            Assert.False(MillerRabin.IsPrime((ulong)n));
        }
    }

    [Fact]
    public void Is_prime_kernels_agree_with_the_reference_on_random_signed_values()
    {
        var random = new Random(8_675_309);
        var byMillerRabin = new IsPrimeKernel(PrimalityMethod.MillerRabin);
        for (var i = 0; i < 5_000; i++)
        {
            var n = (long)Ranges.NextUInt64(random) >> random.Next(0, 63);
            Assert.Equal(n >= 0 && ReferencePrimality.IsPrime((ulong)n), byMillerRabin.Compute(n));
        }
    }

    private static void AssertAgreesWithReference(ulong n)
    {
        var expected = ReferencePrimality.IsPrime(n);
        if (MillerRabin.IsPrime(n) != expected)
        {
            Assert.Fail($"MillerRabin.IsPrime({n}) = {!expected}; reference Miller-Rabin (128-bit remainders) with the first 12 prime bases says {expected}.");
        }
    }

    private static void AssertIsCarmichael(ulong n, List<ulong> factors)
    {
        // Korselt: n is composite, square-free, and p - 1 divides n - 1 for every prime p dividing n.
        Assert.True(factors.Count >= 3, $"{n} should have at least three prime factors");
        Assert.Equal(factors.Count, factors.Distinct().Count());
        Assert.Equal(new BigInteger(n), factors.Aggregate(BigInteger.One, (product, p) => product * p));
        Assert.All(factors, p =>
        {
            Assert.True(ReferencePrimality.IsPrime(p), $"factor {p} of {n} should be prime");
            Assert.Equal(0UL, (n - 1) % (p - 1));
        });
    }

    private static List<ulong> PrimesDownFrom(ulong start, int count)
    {
        var primes = new List<ulong>();
        for (var n = start; primes.Count < count; n--)
        {
            if (ReferencePrimality.IsPrime(n))
            {
                primes.Add(n);
            }
        }

        return primes;
    }

    private static List<ulong> PrimesUpFrom(ulong start, int count)
    {
        var primes = new List<ulong>();
        for (var n = start; primes.Count < count; n++)
        {
            if (ReferencePrimality.IsPrime(n))
            {
                primes.Add(n);
            }
        }

        return primes;
    }
}
