using System.Numerics;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// Independent sums the tests compare against: written here with BigInteger, sharing no code with the kernels (primality and prime counts come from the shared ReferencePrimality).
/// </summary>
internal static class Independent
{
    /// <summary>sum of i*i for i in range(from, n), by the closed form sum_{i&lt;n} i^2 = (n-1) n (2n-1) / 6.</summary>
    public static BigInteger SquareSum(ulong from, ulong n) => SquaresBelow(n) - SquaresBelow(from);

    /// <summary>
    /// sum of Math.Sqrt(i) for i in range(from, n), added exactly (each double taken apart into its integer significand and
    /// exponent) and rounded once to the nearest double, ties to even.
    /// </summary>
    public static double SqrtSum(ulong from, ulong n)
    {
        // Every root of i >= 1 is a double >= 1, a multiple of 2^-52; summing in units of 2^-64 leaves room to spare.
        const int Scale = 64;
        var total = BigInteger.Zero;
        for (var i = from; i < n; i++)
        {
            var root = Math.Sqrt(i);
            if (root == 0)
            {
                continue;
            }

            var bits = BitConverter.DoubleToInt64Bits(root);
            var exponent = (int)((bits >> 52) & 0x7FF) - 1075; // root = significand * 2^exponent
            var significand = (bits & 0xF_FFFF_FFFF_FFFF) | (1L << 52);
            total += (BigInteger)significand << (exponent + Scale);
        }

        return RoundToDouble(total, Scale);
    }

    /// <summary>value * 2^-scale rounded to the nearest double, ties to even.</summary>
    public static double RoundToDouble(BigInteger value, int scale)
    {
        if (value.IsZero)
        {
            return 0;
        }

        var length = (int)value.GetBitLength();
        if (length <= 53)
        {
            return Math.ScaleB((double)(long)value, -scale);
        }

        var shift = length - 53;
        var significand = value >> shift;
        var remainder = value - (significand << shift);
        var half = BigInteger.One << (shift - 1);
        if (remainder > half || (remainder == half && !significand.IsEven))
        {
            significand++;
        }

        return Math.ScaleB((double)(long)significand, shift - scale);
    }

    private static BigInteger SquaresBelow(ulong n) => n == 0 ? 0 : (BigInteger)(n - 1) * n * (2 * (BigInteger)n - 1) / 6;
}
