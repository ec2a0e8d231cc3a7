using System.Numerics;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// Independent computations the tests compare against: written here with BigInteger, sharing no code with the kernels.
/// </summary>
internal static class Independent
{
    // The primes up to 37 as Miller-Rabin bases decide every n < 3.18 * 10^23 (Sorenson and Webster), so all of 2^64.
    private static readonly int[] Bases = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];

    /// <summary>Primality by Miller-Rabin over BigInteger with the twelve prime bases up to 37.</summary>
    public static bool IsPrime(BigInteger n)
    {
        if (n < 2)
        {
            return false;
        }

        foreach (var p in Bases)
        {
            if (n == p)
            {
                return true;
            }

            if (n % p == 0)
            {
                return false;
            }
        }

        var d = n - 1;
        var s = 0;
        while (d.IsEven)
        {
            d >>= 1;
            s++;
        }

        foreach (var a in Bases)
        {
            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == n - 1)
            {
                continue;
            }

            var composite = true;
            for (var r = 1; r < s && composite; r++)
            {
                x = x * x % n;
                composite = x != n - 1;
            }

            if (composite)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The number of primes p with first &lt;= p &lt;= last, testing each number.</summary>
    public static ulong CountPrimes(ulong first, ulong last)
    {
        ulong count = 0;
        for (var n = (BigInteger)first; n <= last; n++)
        {
            if (IsPrime(n))
            {
                count++;
            }
        }

        return count;
    }

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
