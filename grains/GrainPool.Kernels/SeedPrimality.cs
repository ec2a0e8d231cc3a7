using System.Runtime.CompilerServices;

namespace GrainPool.Kernels;

/// <summary>
/// The tutorial's <c>is_prime</c>: trial division by every integer from 2 up to the integer square root.
/// It is deliberately the seed's algorithm (it is the workload the tutorial measures), not a fast test.
/// </summary>
public static class SeedPrimality
{
    /// <summary>True when <paramref name="n"/> is prime; values below 2 (negatives included) are not prime.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }

        // Same algorithm on 32-bit operands when they fit: a 32-bit division is several times cheaper than a 64-bit one.
        if (n <= uint.MaxValue)
        {
            var m = (uint)n;
            var root = (uint)IntegerMath.ISqrt(m);
            for (uint i = 2; i <= root; i++)
            {
                if (m % i == 0)
                {
                    return false;
                }
            }

            return true;
        }

        var r = IntegerMath.ISqrt((ulong)n);
        for (ulong i = 2; i <= r; i++)
        {
            if ((ulong)n % i == 0)
            {
                return false;
            }
        }

        return true;
    }
}
