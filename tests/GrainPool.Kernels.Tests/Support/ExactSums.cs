using System.Globalization;
using System.Numerics;

namespace GrainPool.Kernels.Tests.Support;

/// <summary>
/// Exact references for the sums, in <see cref="BigInteger"/>: square-root sums in fixed point scaled by 2^52, rounded
/// to a double by this class's own ties-to-even code, and square sums by the closed form.
/// </summary>
internal static class ExactSums
{
    public const int FractionBits = 52;

    private const long MantissaMask = (1L << 52) - 1;
    private static readonly BigInteger TwoPow53 = BigInteger.One << 53;
    private static readonly BigInteger FivePow52 = BigInteger.Pow(5, FractionBits);

    /// <summary>The exact value of a finite non-negative double times 2^52, from its bits; throws if that is not an integer.</summary>
    public static BigInteger ToFixed(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        if (bits < 0 || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite non-negative doubles.");
        }

        var biasedExponent = (int)(bits >> 52);
        var fraction = bits & MantissaMask;
        // value = significand * 2^(e - 1075): a normal double has the hidden bit, a subnormal (e = 0) has e counted as 1.
        var significand = biasedExponent == 0 ? fraction : fraction | (1L << 52);
        var exponent = (biasedExponent == 0 ? 1 : biasedExponent) - 1075 + FractionBits;
        if (exponent >= 0)
        {
            return new BigInteger(significand) << exponent;
        }

        if ((significand & ((1L << -exponent) - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Not a multiple of 2^-52.");
        }

        return new BigInteger(significand >> -exponent);
    }

    /// <summary>Sum of Math.Sqrt(i) for i in [first, last], each term exact in fixed point, summed with no rounding.</summary>
    public static BigInteger SqrtSumFixed(ulong first, ulong last)
    {
        var total = BigInteger.Zero;
        for (var i = first; ; i++)
        {
            total += ToFixed(Math.Sqrt(i));
            if (i == last)
            {
                return total;
            }
        }
    }

    /// <summary>The double nearest to fixed * 2^-52, ties to even, built from its bits (no floating-point arithmetic).</summary>
    public static double RoundToDouble(BigInteger fixedValue)
    {
        if (fixedValue.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fixedValue), fixedValue, "Only non-negative values.");
        }

        if (fixedValue.IsZero)
        {
            return 0.0;
        }

        var bitLength = (int)fixedValue.GetBitLength();
        BigInteger significand;
        if (bitLength <= 53)
        {
            significand = fixedValue << (53 - bitLength); // exact
        }
        else
        {
            var shift = bitLength - 53;
            significand = fixedValue >> shift;
            var remainder = fixedValue - (significand << shift);
            var half = BigInteger.One << (shift - 1);
            if (remainder > half || (remainder == half && !significand.IsEven))
            {
                significand += 1;
                if (significand == TwoPow53)
                {
                    significand >>= 1;
                    bitLength++;
                }
            }
        }

        // The leading bit of fixed * 2^-52 is worth 2^(bitLength - 1 - 52).
        var unbiased = bitLength - 53;
        var biased = unbiased + 1023;
        if (biased is < 1 or > 2046)
        {
            throw new ArgumentOutOfRangeException(nameof(fixedValue), fixedValue, "Outside the normal double range.");
        }

        var fraction = (long)(significand - (BigInteger.One << 52));
        return BitConverter.Int64BitsToDouble(((long)biased << 52) | fraction);
    }

    /// <summary>fixed * 2^-52 written out exactly in decimal (2^-52 = 5^52 / 10^52), for a second, parser-based rounding.</summary>
    public static string ToExactDecimal(BigInteger fixedValue)
    {
        var digits = (fixedValue * FivePow52).ToString(CultureInfo.InvariantCulture).PadLeft(FractionBits + 1, '0');
        return digits[..^FractionBits] + "." + digits[^FractionBits..];
    }

    /// <summary>.NET Core 3.0 and later parse decimal strings correctly rounded (IEEE 754-2008), ties to even.</summary>
    public static double ParseExactDecimal(BigInteger fixedValue) =>
        double.Parse(ToExactDecimal(fixedValue), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>sum of i*i for i in [0, n): n(n-1)(2n-1)/6.</summary>
    public static BigInteger SquareSumBelow(BigInteger n) => n * (n - 1) * ((2 * n) - 1) / 6;

    /// <summary>sum of i*i for i in [first, last].</summary>
    public static BigInteger SquareSum(ulong first, ulong last) => SquareSumBelow(new BigInteger(last) + 1) - SquareSumBelow(first);
}
