namespace GrainPool.Tests.Shared;

/// <summary>
/// Primality written independently of the kernels: trial division, a plain window sieve, and Miller-Rabin with
/// different bases (the first twelve primes) and different arithmetic (128-bit remainders) from the kernel's Montgomery
/// code with Sinclair's seven bases.
/// </summary>
internal static class ReferencePrimality
{
    /// <summary>
    /// The first 12 primes. Sorenson and Webster, "Strong pseudoprimes to twelve prime bases", Math. Comp. 86 (2017):
    /// the smallest strong pseudoprime to all of them is psi_12 = 318665857834031151167461 (about 3.18e23), so using
    /// them all as bases decides every n below that, and therefore every 64-bit n.
    /// </summary>
    public static readonly ulong[] FirstTwelvePrimes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];

    /// <summary>Exact primality of any 64-bit value: trial division by the first 12 primes, then 12 strong tests.</summary>
    public static bool IsPrime(ulong n)
    {
        if (n < 2)
        {
            return false;
        }

        foreach (var p in FirstTwelvePrimes)
        {
            if (n % p == 0)
            {
                return n == p;
            }
        }

        if (n < 41 * 41)
        {
            return true; // no prime factor up to 37, and 41 is the next prime: a composite would be at least 41^2
        }

        foreach (var a in FirstTwelvePrimes)
        {
            if (!IsStrongProbablePrime(n, a))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Strong probable-prime test of odd n &gt; 2 to base a (a not a multiple of n): plain square-and-multiply with each
    /// product reduced by a 128-bit remainder (nothing like the kernel's Montgomery form, and about 7 times faster than
    /// BigInteger.ModPow, which makes windows of millions of 64-bit values affordable).
    /// </summary>
    public static bool IsStrongProbablePrime(ulong n, ulong a)
    {
        if (n < 3 || (n & 1) == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "The strong test takes odd n > 2.");
        }

        var minusOne = n - 1;
        var d = minusOne;
        var s = 0;
        while ((d & 1) == 0)
        {
            d >>= 1;
            s++;
        }

        var x = PowMod(a % n, d, n);
        if (x == 1 || x == minusOne)
        {
            return true;
        }

        for (var r = 1; r < s; r++)
        {
            x = MulMod(x, x, n);
            if (x == minusOne)
            {
                return true;
            }
        }

        return false;
    }

    private static ulong MulMod(ulong a, ulong b, ulong n) => (ulong)((UInt128)a * b % n);

    private static ulong PowMod(ulong b, ulong e, ulong n)
    {
        ulong result = 1;
        while (e > 0)
        {
            if ((e & 1) != 0)
            {
                result = MulMod(result, b, n);
            }

            b = MulMod(b, b, n);
            e >>= 1;
        }

        return result;
    }

    /// <summary>Plain trial division by 2 and every odd d with d*d &lt;= n (no square root involved). For n up to ~1e12.</summary>
    public static bool IsPrimeByTrialDivision(ulong n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n % 2 == 0)
        {
            return n == 2;
        }

        for (ulong d = 3; d <= n / d; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Prime factors with multiplicity by trial division (for values whose second-largest factor is small).</summary>
    public static List<ulong> Factor(ulong n)
    {
        var factors = new List<ulong>();
        for (ulong d = 2; d <= n / d; d += d == 2 ? 1UL : 2UL)
        {
            while (n % d == 0)
            {
                factors.Add(d);
                n /= d;
            }
        }

        if (n > 1)
        {
            factors.Add(n);
        }

        return factors;
    }

    /// <summary>
    /// Primes in [first, last], counted independently of the kernels: inside the reference sieve's table by lookup;
    /// elsewhere by crossing off multiples of the primes up to sqrt(last) in a plain bool[] window (the table's, or a
    /// sieve of its own up to 2^29) and, where those do not reach sqrt(last), confirming survivors with <see cref="IsPrime"/>.
    /// </summary>
    public static ulong CountPrimes(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        return last <= ReferenceSieve.Limit ? ReferenceSieve.Shared.Count(first, last) : CountPrimesInWindow(first, last);
    }

    // Largest root for which CountPrimesInWindow sieves its own base primes (a bool per odd number: 256 MiB at most).
    private const ulong MaxOwnBaseSieve = 1UL << 29;

    // Primes up to limit by a plain odd-only sieve of Eratosthenes.
    private static uint[] PrimesUpTo(uint limit)
    {
        var composite = new bool[(limit / 2) + 1]; // index i stands for 2i + 1
        for (ulong i = 1; ((2 * i) + 1) * ((2 * i) + 1) <= limit; i++)
        {
            if (composite[i])
            {
                continue;
            }

            var p = (2 * i) + 1;
            for (var j = p * p / 2; j < (ulong)composite.Length; j += p)
            {
                composite[j] = true;
            }
        }

        var primes = new List<uint> { 2 };
        for (var i = 1; i < composite.Length; i++)
        {
            if (!composite[i] && (2 * (ulong)i) + 1 <= limit)
            {
                primes.Add((uint)((2 * i) + 1));
            }
        }

        return [.. primes];
    }

    /// <summary>The window half of <see cref="CountPrimes"/>, callable on its own so that a test can check it against the table.</summary>
    public static ulong CountPrimesInWindow(ulong first, ulong last)
    {
        var sieve = ReferenceSieve.Shared;
        var width = last - first;
        if (width > 50_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, "The reference window is at most 5e7 wide.");
        }

        var composite = new bool[width + 1];
        var root = (ulong)Math.Sqrt(last);
        while (root > 0 && root > last / root)
        {
            root--;
        }

        while ((root + 1) <= last / (root + 1))
        {
            root++;
        }

        // Every prime up to the root decides every survivor; past the shared table that costs a sieve of its own up to
        // the root (cheap up to 2^29), beyond which survivors are confirmed one by one.
        var ownBasePrimes = root > ReferenceSieve.Limit && root <= MaxOwnBaseSieve;
        var basePrimes = ownBasePrimes ? PrimesUpTo((uint)root) : sieve.Primes;
        var crossed = ownBasePrimes ? root : Math.Min(root, ReferenceSieve.Limit);
        foreach (ulong p in basePrimes)
        {
            if (p > crossed)
            {
                break;
            }

            var remainder = first % p;
            var step = remainder == 0 ? 0 : p - remainder;
            if (step > width)
            {
                continue;
            }

            var multiple = first + step;
            if (multiple < p * p)
            {
                multiple = p * p; // p itself stays; below p^2 the multiples have smaller factors
            }

            if (multiple - first > width)
            {
                continue;
            }

            for (var offset = multiple - first; ; offset += p)
            {
                composite[offset] = true;
                if (width - offset < p)
                {
                    break; // the next multiple is past last (and past 2^64 - 1 near the top)
                }
            }
        }

        var everySurvivorIsPrime = crossed == root;
        ulong count = 0;
        for (ulong offset = 0; offset <= width; offset++)
        {
            var n = first + offset;
            if (composite[offset] || n < 2)
            {
                continue;
            }

            if (everySurvivorIsPrime || IsPrime(n))
            {
                count++;
            }
        }

        return count;
    }
}
