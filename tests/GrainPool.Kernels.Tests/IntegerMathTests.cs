using System.Numerics;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>IntegerMath.ISqrt against the defining property r^2 &lt;= n &lt; (r+1)^2, checked in BigInteger.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class IntegerMathTests
{
    [Fact]
    public void ISqrt_is_the_floor_square_root_of_every_value_up_to_a_million()
    {
        for (ulong n = 0; n <= 1_000_000; n++)
        {
            AssertIsFloorSquareRoot(n);
        }
    }

    [Fact]
    public void ISqrt_is_exact_at_perfect_squares_and_their_neighbours_near_two_to_the_64()
    {
        // (2^32 - 1)^2 = 2^64 - 2^33 + 1 is the largest 64-bit square; a double square root rounds these up to 2^32.
        for (var r = uint.MaxValue - 5_000UL; r <= uint.MaxValue; r++)
        {
            AssertSquareAndNeighbours(r);
        }

        AssertIsFloorSquareRoot(ulong.MaxValue);
        AssertIsFloorSquareRoot(ulong.MaxValue - 1);
        Assert.Equal((ulong)uint.MaxValue, IntegerMath.ISqrt(ulong.MaxValue));
    }

    [Fact]
    public void ISqrt_is_exact_at_perfect_squares_and_their_neighbours_of_every_size()
    {
        var random = new Random(1_234_567);
        for (var i = 0; i < 20_000; i++)
        {
            var r = (ulong)random.NextInt64(0, 1L << 32) >> random.Next(0, 32);
            AssertSquareAndNeighbours(r);
        }
    }

    [Fact]
    public void ISqrt_is_the_floor_square_root_of_random_values_of_every_bit_length()
    {
        var random = new Random(7_654_321);
        for (var i = 0; i < 50_000; i++)
        {
            AssertIsFloorSquareRoot(Ranges.NextUInt64(random) >> random.Next(0, 64));
        }
    }

    private static void AssertSquareAndNeighbours(ulong r)
    {
        var square = r * r;
        Assert.Equal(r, IntegerMath.ISqrt(square));
        if (square > 0)
        {
            Assert.Equal(r - 1, IntegerMath.ISqrt(square - 1));
        }

        if (square < ulong.MaxValue)
        {
            AssertIsFloorSquareRoot(square + 1);
        }
    }

    private static void AssertIsFloorSquareRoot(ulong n)
    {
        var r = new BigInteger(IntegerMath.ISqrt(n));
        if (r * r > n || (r + 1) * (r + 1) <= n)
        {
            Assert.Fail($"IntegerMath.ISqrt({n}) = {r}, but floor(sqrt({n})) satisfies r^2 <= n < (r+1)^2.");
        }
    }
}
