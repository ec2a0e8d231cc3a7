using System.Runtime.CompilerServices;

namespace GrainPool.Kernels;

/// <summary>Exact integer helpers shared by the kernels.</summary>
public static class IntegerMath
{
    /// <summary>floor(sqrt(n)) exactly, for every 64-bit value (a double square root alone is off by one near 2^64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong ISqrt(ulong n)
    {
        if (n < 2)
        {
            return n;
        }

        var r = (ulong)Math.Sqrt(n);
        // r is within one or two of the true root; fix it up without overflowing r*r.
        while (r > uint.MaxValue || r * r > n)
        {
            r--;
        }

        while (r < uint.MaxValue && (r + 1) * (r + 1) <= n)
        {
            r++;
        }

        return r;
    }
}
