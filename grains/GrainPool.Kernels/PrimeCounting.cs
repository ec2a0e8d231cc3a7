using System.Runtime.CompilerServices;

namespace GrainPool.Kernels;

/// <summary>How a range's primes are found.</summary>
public enum PrimalityMethod
{
    /// <summary>Segmented sieve of Eratosthenes (with Miller-Rabin for survivors when sieving to sqrt is too costly).</summary>
    Sieve,

    /// <summary>Deterministic Miller-Rabin on every candidate.</summary>
    MillerRabin,

    /// <summary>The tutorial's trial division on every number (values up to 2^63-1 only).</summary>
    Trial,
}

/// <summary>Counts primes p with first &lt;= p &lt;= last (inclusive, the pi(x) convention) over all of 0 .. 2^64-1.</summary>
public static class PrimeCounting
{
    /// <summary>Largest prime used to sieve; above it the sieve's survivors are confirmed by Miller-Rabin.</summary>
    public const ulong MaxBasePrimeLimit = 1UL << 27;

    /// <summary>Numbers spanned by one sieve segment (tests aim ranges across segment borders with it).</summary>
    internal const ulong SegmentSpan = WheelSieve.SegmentSpan;

    // Ranges this narrow are cheaper to test one by one than to set up a sieve.
    private const ulong DirectTestWidth = 512;

    /// <summary>Counts primes in [<paramref name="first"/>, <paramref name="last"/>] with the given method.</summary>
    public static ulong Count(ulong first, ulong last, PrimalityMethod method = PrimalityMethod.Sieve)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        return method switch
        {
            PrimalityMethod.Sieve => CountBySieve(first, last),
            PrimalityMethod.MillerRabin => CountByMillerRabin(first, last),
            PrimalityMethod.Trial => CountByTrialDivision(first, last),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, $"Unknown primality method {method}."),
        };
    }

    /// <summary>Counts with Miller-Rabin on every odd candidate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong CountByMillerRabin(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        ulong count = first <= 2 && 2 <= last ? 1UL : 0UL;
        for (var n = first | 1; n <= last && n >= first; n += 2)
        {
            if (MillerRabin.IsPrime(n))
            {
                count++;
            }

            if (n == ulong.MaxValue)
            {
                break;
            }
        }

        return count;
    }

    /// <summary>The largest value trial division takes: the tutorial's is_prime works on signed 64-bit values.</summary>
    public const ulong MaxTrialDivisionValue = long.MaxValue;

    /// <summary>Counts with the tutorial's trial division; <paramref name="last"/> must be at most <see cref="MaxTrialDivisionValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong CountByTrialDivision(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        if (last > MaxTrialDivisionValue)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"Trial division takes values up to {MaxTrialDivisionValue}; last was {last}.");
        }

        ulong count = 0;
        for (var n = first; ; n++)
        {
            if (SeedPrimality.IsPrime((long)n))
            {
                count++;
            }

            if (n == last)
            {
                return count;
            }
        }
    }

    /// <summary>Counts with the segmented sieve (the fast method for dense ranges, correct near 2^64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong CountBySieve(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        ulong count = 0;
        foreach (var small in (ReadOnlySpan<ulong>)[2, 3, 5])
        {
            if (first <= small && small <= last)
            {
                count++;
            }
        }

        var lo = Math.Max(first, 7);
        if (lo > last)
        {
            return count;
        }

        if (last - lo < DirectTestWidth)
        {
            // Too narrow to pay for sieve set-up: test each number coprime to 2 and 3.
            for (var n = lo; ; n++)
            {
                if (n % 2 != 0 && n % 3 != 0 && MillerRabin.IsPrime(n))
                {
                    count++;
                }

                if (n == last)
                {
                    return count;
                }
            }
        }

        return count + WheelSieve.CountCoprime30(lo, last, SieveLimit(last, last - lo));
    }

    /// <summary>
    /// The sieve limit for a range: sqrt(hi) when affordable. For narrow ranges high up (or beyond what is worth sieving)
    /// a smaller limit is used and survivors go to Miller-Rabin; generating base primes costs O(limit) and sieving the
    /// window O(width), so the limit follows the width.
    /// </summary>
    internal static ulong SieveLimit(ulong hi, ulong width)
    {
        var root = IntegerMath.ISqrt(hi);
        var affordable = Math.Max(1UL << 16, width > ulong.MaxValue / 4 ? ulong.MaxValue : width * 4);
        return Math.Min(root, Math.Min(affordable, MaxBasePrimeLimit));
    }
}
