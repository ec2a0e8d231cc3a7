using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GrainPool.Kernels;

/// <summary>
/// An exact partial sum of double square roots, in fixed point with 52 fractional bits. Every term sqrt(i) for i &gt;= 1
/// is a double &gt;= 1, so its lowest bit is at or above 2^-52: the accumulator adds terms with no rounding at all, and
/// partial sums of any chunking combine to the same value.
/// </summary>
public readonly record struct SqrtSumPartial(UInt128 Fixed)
{
    /// <summary>Scale of <see cref="Fixed"/>: the sum is Fixed * 2^-52.</summary>
    public const int FractionBits = 52;

    /// <summary>The empty sum.</summary>
    public static SqrtSumPartial Zero => default;

    /// <summary>Exact combination of two partial sums (associative and commutative).</summary>
    public static SqrtSumPartial operator +(SqrtSumPartial a, SqrtSumPartial b) => new(checked(a.Fixed + b.Fixed));

    /// <summary>The exact sum rounded once to the nearest double, ties to even (what math.fsum returns).</summary>
    public double ToDouble()
    {
        var value = Fixed;
        if (value == UInt128.Zero)
        {
            return 0.0;
        }

        var bitLength = 128 - (int)UInt128.LeadingZeroCount(value);
        if (bitLength <= 53)
        {
            return Math.ScaleB((double)(ulong)value, -FractionBits);
        }

        var shift = bitLength - 53;
        var mantissa = (ulong)(value >> shift);
        var remainder = value & ((UInt128.One << shift) - 1);
        var half = UInt128.One << (shift - 1);
        if (remainder > half || (remainder == half && (mantissa & 1) != 0))
        {
            mantissa++; // may reach 2^53, which a double still holds exactly
        }

        return Math.ScaleB((double)mantissa, shift - FractionBits);
    }
}

/// <summary>
/// S(first, last) = sum of Math.Sqrt(i) for i in [first, last], the tutorial's <c>compute(n)</c> over a range,
/// correctly rounded.
/// </summary>
public static class SqrtSum
{
    /// <summary>Exclusive upper bound on i: the 128-bit accumulator holds sums up to here (about (2/3)·2^75·2^52 &lt; 2^128).</summary>
    public const ulong MaxExclusive = 1UL << 50;

    // 4096 fractional parts below 2^52 each fit one 64-bit word before folding into 128 bits.
    private const int BlockSize = 4096;
    private const double TwoPow52 = 4503599627370496.0;
    private const long MagicBits = 0x4330_0000_0000_0000; // the bits of 2^52 as a double

    /// <summary>The exact partial sum over i in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    public static SqrtSumPartial Partial(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        if (last >= MaxExclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"Square-root sums take i below 2^50 ({MaxExclusive}); got {last}.");
        }

        var (integerParts, fractionParts) = Vector256.IsHardwareAccelerated
            ? SumVectorized(first, last)
            : SumScalar(first, last);
        return new SqrtSumPartial((integerParts << SqrtSumPartial.FractionBits) + fractionParts);
    }

    // Splits each root into its integer part and its 52-bit fraction (both exact) and sums each in integers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (UInt128 Integers, UInt128 Fractions) SumScalar(ulong first, ulong last)
    {
        UInt128 integerParts = 0;
        UInt128 fractionParts = 0;
        var i = first;
        while (true)
        {
            var blockLast = last - i < BlockSize ? last : i + BlockSize - 1;
            ulong intSum = 0;
            ulong fracSum = 0;
            var x = (double)i; // exact: i < 2^50
            for (var count = (long)(blockLast - i); count >= 0; count--)
            {
                var root = Math.Sqrt(x);
                var whole = (long)root; // floor, root >= 0
                intSum += (ulong)whole;
                // root - whole is exact (same binade grid), and so is scaling it by 2^52 for root >= 1.
                fracSum += (ulong)(long)((root - whole) * TwoPow52);
                x += 1.0;
            }

            integerParts += intSum;
            fractionParts += fracSum;
            if (blockLast == last)
            {
                return (integerParts, fractionParts);
            }

            i = blockLast + 1;
        }
    }

    // Four roots at a time. Converting doubles to integers without AVX-512: an integer-valued double v in [0, 2^52)
    // plus 2^52 has exactly v in its mantissa bits, so reinterpreting and subtracting 2^52's bit pattern is exact.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (UInt128 Integers, UInt128 Fractions) SumVectorized(ulong first, ulong last)
    {
        var count = last - first + 1;
        var vectorCount = count / 4;
        UInt128 integerParts = 0;
        UInt128 fractionParts = 0;
        var magic = Vector256.Create(TwoPow52);
        var magicBits = Vector256.Create(MagicBits);
        var scale = Vector256.Create(TwoPow52);
        var step = Vector256.Create(4.0);
        var x = Vector256.Create((double)first, first + 1.0, first + 2.0, first + 3.0); // exact below 2^50

        ulong done = 0;
        while (done < vectorCount)
        {
            var block = Math.Min(vectorCount - done, BlockSize);
            var intSum = Vector256<long>.Zero;
            var fracSum = Vector256<long>.Zero;
            for (var v = 0UL; v < block; v++)
            {
                var root = Vector256.Sqrt(x);
                var whole = Vector256.Floor(root);
                var fraction = (root - whole) * scale;
                intSum += (whole + magic).AsInt64() - magicBits;
                fracSum += (fraction + magic).AsInt64() - magicBits;
                x += step;
            }

            integerParts += (ulong)Vector256.Sum(intSum);
            fractionParts += SumLanes(fracSum);
            done += block;
        }

        if (vectorCount * 4 < count)
        {
            var (ints, fracs) = SumScalar(first + vectorCount * 4, last);
            integerParts += ints;
            fractionParts += fracs;
        }

        return (integerParts, fractionParts);
    }

    // Four lanes of up to 4096 fractions below 2^52 each: the total may pass 2^64, so add the lanes in 128 bits.
    private static UInt128 SumLanes(Vector256<long> lanes) =>
        (UInt128)(ulong)lanes[0] + (ulong)lanes[1] + (ulong)lanes[2] + (ulong)lanes[3];

    /// <summary>Correctly rounded S over i in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    public static double Compute(ulong first, ulong last) => Partial(first, last).ToDouble();

    /// <summary>The tutorial's compute(n): sum of sqrt(i) for i in range(n), correctly rounded; 0 for n = 0.</summary>
    public static double Tutorial(ulong n) => n == 0 ? 0.0 : Compute(0, n - 1);
}

/// <summary>Sum of i*i for i in [first, last], exact in 128 bits: the tutorial's <c>heavy_task</c>.</summary>
public static class SquareSum
{
    /// <summary>Exclusive upper bound on i: the sum over [0, 10^13) is about 3.3e38, below 2^128 = 3.4e38.</summary>
    public const ulong MaxExclusive = 10_000_000_000_000;

    /// <summary>The exact sum over i in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static UInt128 Partial(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        if (last >= MaxExclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"Square sums take i below 10^13 ({MaxExclusive}) so that the sum fits 128 bits; got {last}.");
        }

        UInt128 total = 0;
        var i = first;
        // Below 2^32 a square fits 64 bits: sum blocks of them in 64 bits (a block of 2^k squares < 2^64 total) and fold.
        while (i <= last && i < (1UL << 32))
        {
            var blockLast = Math.Min(last, Math.Min(i + 1023, (1UL << 32) - 1));
            ulong low = 0;
            ulong carries = 0;
            for (var j = i; j <= blockLast; j++)
            {
                var square = j * j;
                low += square;
                carries += low < square ? 1UL : 0UL;
            }

            total += ((UInt128)carries << 64) + low;
            if (blockLast == last)
            {
                return total;
            }

            i = blockLast + 1;
        }

        for (var j = i; ; j++)
        {
            total += (UInt128)j * j;
            if (j == last)
            {
                return total;
            }
        }
    }

    /// <summary>The tutorial's heavy_task: sum(i**2 for i in range(n)); 0 for n = 0.</summary>
    public static UInt128 Tutorial(ulong n) => n == 0 ? UInt128.Zero : Partial(0, n - 1);
}
