using System.Runtime.CompilerServices;
using System.Numerics;

namespace GrainPool.Kernels;

/// <summary>
/// Deterministic Miller-Rabin for every 64-bit unsigned value, with Montgomery multiplication
/// (no 128-bit division inside the exponentiation loop).
/// </summary>
public static class MillerRabin
{
    // Bit i set when i is prime, for i < 64.
    private const ulong SmallPrimeMask =
        (1UL << 2) | (1UL << 3) | (1UL << 5) | (1UL << 7) | (1UL << 11) | (1UL << 13) | (1UL << 17) | (1UL << 19) |
        (1UL << 23) | (1UL << 29) | (1UL << 31) | (1UL << 37) | (1UL << 41) | (1UL << 43) | (1UL << 47) | (1UL << 53) |
        (1UL << 59) | (1UL << 61);

    // Jaeschke: bases 2, 7, 61 decide every n < 4,759,123,141.
    private static ReadOnlySpan<ulong> Bases32 => [2, 7, 61];

    // Sinclair (2011): these seven bases decide every n < 2^64.
    private static ReadOnlySpan<ulong> Bases64 => [2, 325, 9375, 28178, 450775, 9780504, 1795265022];

    /// <summary>True when <paramref name="n"/> is prime. Exact for all of 0 .. 2^64-1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsPrime(ulong n)
    {
        if (n < 64)
        {
            return ((SmallPrimeMask >> (int)n) & 1) != 0;
        }

        if ((n & 1) == 0 || n % 3 == 0 || n % 5 == 0 || n % 7 == 0 || n % 11 == 0 || n % 13 == 0 ||
            n % 17 == 0 || n % 19 == 0 || n % 23 == 0 || n % 29 == 0 || n % 31 == 0 || n % 37 == 0)
        {
            return false;
        }

        // Every composite below 41^2 has a factor up to 37, which was just excluded.
        if (n < 41 * 41)
        {
            return true;
        }

        return IsStrongProbablePrimeToAll(n, n < 4_759_123_141UL ? Bases32 : Bases64);
    }

    /// <summary>Strong probable-prime test of odd <paramref name="n"/> &gt; 2 to base <paramref name="a"/>.</summary>
    internal static bool IsStrongProbablePrime(ulong n, ulong a) => IsStrongProbablePrimeToAll(n, [a]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsStrongProbablePrimeToAll(ulong n, ReadOnlySpan<ulong> bases)
    {
        var mont = new Montgomery64(n);
        var d = n - 1;
        var s = BitOperations.TrailingZeroCount(d);
        d >>= s;
        var one = mont.One;
        var minusOne = n - one;

        foreach (var a in bases)
        {
            var b = a % n;
            if (b == 0)
            {
                continue; // a multiple of n says nothing about n
            }

            var x = mont.Pow(mont.ToMontgomery(b), d);
            if (x == one || x == minusOne)
            {
                continue;
            }

            var witness = true;
            for (var r = 1; r < s; r++)
            {
                x = mont.Multiply(x, x);
                if (x == minusOne)
                {
                    witness = false;
                    break;
                }
            }

            if (witness)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Montgomery arithmetic modulo an odd 64-bit n with R = 2^64; values kept in [0, n).</summary>
internal readonly struct Montgomery64
{
    private readonly ulong _n;
    private readonly ulong _nInverse; // n^-1 mod 2^64
    private readonly ulong _r2;       // R^2 mod n

    public Montgomery64(ulong n)
    {
        _n = n;
        // Newton's iteration doubles the correct low bits each step; n itself is correct to 3 bits (n*n = 1 mod 8).
        var inv = n;
        for (var i = 0; i < 5; i++)
        {
            inv *= 2 - n * inv;
        }

        _nInverse = inv;
        One = (0UL - n) % n; // 2^64 mod n
        _r2 = (ulong)((UInt128)One * One % n); // once per modulus, never inside the exponentiation loop
    }

    /// <summary>R mod n: the Montgomery form of 1.</summary>
    public ulong One { get; }

    public ulong ToMontgomery(ulong a) => Multiply(a, _r2);

    public ulong Multiply(ulong a, ulong b)
    {
        var hi = Math.BigMul(a, b, out var lo);
        // m*n has the same low word as a*b, so (a*b - m*n) / 2^64 is exactly hi - high(m*n), in (-n, n).
        var m = lo * _nInverse;
        var mnHi = Math.BigMul(m, _n, out _);
        var t = hi - mnHi;
        return hi < mnHi ? t + _n : t;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ulong Pow(ulong baseMont, ulong exponent)
    {
        var result = One;
        var b = baseMont;
        while (exponent != 0)
        {
            if ((exponent & 1) != 0)
            {
                result = Multiply(result, b);
            }

            exponent >>= 1;
            if (exponent != 0)
            {
                b = Multiply(b, b);
            }
        }

        return result;
    }
}
