using System.Numerics;

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

    /// <summary>Bits (odd numbers) per sieve segment: 2^20 bits = 128 KiB, a slice of L2 that holds the segment.</summary>
    internal const int SegmentBits = 1 << 20;

    // Ranges this narrow are cheaper to test one by one than to set up a sieve.
    private const ulong DirectTestWidth = 512;

    // Odd primes 3..13 are pre-sieved by copying a repeating pattern; period 3*5*7*11*13 odd numbers.
    private const int PatternPeriod = 3 * 5 * 7 * 11 * 13;
    private const int FirstCrossedPrimeIndex = 5; // index of 17 in the base prime list
    private static readonly ulong[] Pattern = BuildPattern();

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
    public static ulong CountByMillerRabin(ulong first, ulong last)
    {
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

    /// <summary>Counts with the tutorial's trial division; <paramref name="last"/> must be at most 2^63-1.</summary>
    public static ulong CountByTrialDivision(ulong first, ulong last)
    {
        if (last > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"Trial division takes values up to {long.MaxValue}; last was {last}.");
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
    public static ulong CountBySieve(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        ulong count = first <= 2 && 2 <= last ? 1UL : 0UL;
        var lo = Math.Max(first, 3) | 1;
        var hi = (last & 1) == 0 ? last - 1 : last;
        if (lo > hi || last < 3)
        {
            return count; // no odd number >= 3 in the range
        }

        var width = hi - lo;
        if (width < DirectTestWidth)
        {
            for (var n = lo; ; n += 2)
            {
                if (MillerRabin.IsPrime(n))
                {
                    count++;
                }

                if (n >= hi)
                {
                    break;
                }
            }

            return count;
        }

        return count + SieveOdd(lo >> 1, hi >> 1);
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

    // Counts primes among odd numbers 2k+1 for k in [kLo, kHi] (all >= 3).
    private static ulong SieveOdd(ulong kLo, ulong kHi)
    {
        var hi = 2 * kHi + 1;
        var limit = SieveLimit(hi, 2 * (kHi - kLo));
        var limitSquared = (UInt128)limit * limit;
        var confirmSurvivors = limitSquared < hi;

        var primes = BasePrimes.AtLeast(limit);
        var primeCount = BasePrimes.CountUpTo(primes, limit);

        var segStart = kLo & ~63UL;
        var words = new ulong[SegmentBits / 64];
        var next = new ulong[Math.Max(0, primeCount - FirstCrossedPrimeIndex)];
        for (var j = FirstCrossedPrimeIndex; j < primeCount; j++)
        {
            ulong p = primes[j];
            var squareIndex = p * p >> 1;
            var half = p >> 1;
            // smallest k >= segStart with k = half (mod p): the odd multiples of p
            var k = segStart + (half + p - segStart % p) % p;
            next[j - FirstCrossedPrimeIndex] = Math.Max(k, squareIndex);
        }

        ulong count = 0;
        while (true)
        {
            var segLast = kHi - segStart < SegmentBits ? kHi : segStart + SegmentBits - 1;
            var bits = (int)(segLast - segStart + 1);
            var wordCount = (bits + 63) >> 6;
            var segment = words.AsSpan(0, wordCount);

            FillPattern(segment, segStart);
            for (var j = FirstCrossedPrimeIndex; j < primeCount; j++)
            {
                ref var slot = ref next[j - FirstCrossedPrimeIndex];
                if (slot > segLast)
                {
                    continue;
                }

                var p = (long)primes[j];
                var offset = (long)(slot - segStart);
                for (; offset < bits; offset += p)
                {
                    segment[(int)(offset >> 6)] |= 1UL << (int)offset;
                }

                slot = segStart + (ulong)offset;
            }

            FixSmallNumbers(segment, segStart);
            MaskOutside(segment, segStart, kLo, bits);

            count += confirmSurvivors
                ? CountSurvivors(segment, segStart, limitSquared)
                : (ulong)(wordCount * 64 - PopCount(segment));

            if (segLast == kHi)
            {
                return count;
            }

            segStart = segLast + 1;
        }
    }

    private static void FillPattern(Span<ulong> segment, ulong segStart)
    {
        var offset = (int)(segStart / 64 % PatternPeriod);
        var filled = 0;
        while (filled < segment.Length)
        {
            var take = Math.Min(segment.Length - filled, PatternPeriod - offset);
            Pattern.AsSpan(offset, take).CopyTo(segment[filled..]);
            filled += take;
            offset = 0;
        }
    }

    // The pattern marks 3..13 themselves as composite and leaves 1 unmarked; put both right.
    private static void FixSmallNumbers(Span<ulong> segment, ulong segStart)
    {
        if (segStart != 0)
        {
            return; // 1..13 have odd indices 0..6, which only the first segment holds
        }

        segment[0] |= 1UL;               // index 0 is 1, not prime
        segment[0] &= ~0b110_1110UL;     // indices 1, 2, 3, 5, 6 are the primes 3, 5, 7, 11, 13 (index 4 is 9)
    }

    private static void MaskOutside(Span<ulong> segment, ulong segStart, ulong kLo, int bits)
    {
        if (kLo > segStart)
        {
            var below = (int)(kLo - segStart); // < 64 because segments start 64-aligned at or below kLo
            segment[0] |= (1UL << below) - 1;
        }

        var tail = bits & 63;
        if (tail != 0)
        {
            segment[^1] |= ~0UL << tail;
        }
    }

    private static ulong CountSurvivors(Span<ulong> segment, ulong segStart, UInt128 limitSquared)
    {
        ulong count = 0;
        for (var w = 0; w < segment.Length; w++)
        {
            var free = ~segment[w];
            while (free != 0)
            {
                var bit = BitOperations.TrailingZeroCount(free);
                free &= free - 1;
                var n = 2 * (segStart + (ulong)(w * 64 + bit)) + 1;
                // No prime factor <= limit: prime outright below limit^2, otherwise ask Miller-Rabin.
                if (n <= limitSquared || MillerRabin.IsPrime(n))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static long PopCount(ReadOnlySpan<ulong> words)
    {
        long total = 0;
        foreach (var w in words)
        {
            total += BitOperations.PopCount(w);
        }

        return total;
    }

    private static ulong[] BuildPattern()
    {
        var pattern = new ulong[PatternPeriod];
        for (var i = 0; i < PatternPeriod * 64; i++)
        {
            var n = 2 * i + 1;
            if (n % 3 == 0 || n % 5 == 0 || n % 7 == 0 || n % 11 == 0 || n % 13 == 0)
            {
                pattern[i >> 6] |= 1UL << i;
            }
        }

        return pattern;
    }
}
