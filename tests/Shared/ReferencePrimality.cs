using System.Numerics;

namespace GrainPool.Tests.Shared;

/// <summary>
/// Primality written independently of the kernels: trial division, and Miller-Rabin on <see cref="BigInteger.ModPow"/>
/// with different bases and different arithmetic from the kernel's Montgomery code.
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

    /// <summary>Strong probable-prime test of odd n &gt; 2 to base a (a not a multiple of n), with BigInteger.</summary>
    public static bool IsStrongProbablePrime(ulong n, ulong a)
    {
        if (n < 3 || (n & 1) == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "The strong test takes odd n > 2.");
        }

        var modulus = new BigInteger(n);
        var minusOne = modulus - 1;
        var d = minusOne;
        var s = 0;
        while (d.IsEven)
        {
            d >>= 1;
            s++;
        }

        var x = BigInteger.ModPow(new BigInteger(a) % modulus, d, modulus);
        if (x.IsOne || x == minusOne)
        {
            return true;
        }

        for (var r = 1; r < s; r++)
        {
            x = x * x % modulus;
            if (x == minusOne)
            {
                return true;
            }
        }

        return false;
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
    /// elsewhere by crossing off multiples of the table's primes in a plain bool[] window and, where the table's primes
    /// do not reach sqrt(last), confirming survivors with <see cref="IsPrime"/>.
    /// </summary>
    public static ulong CountPrimes(ulong first, ulong last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        return last <= ReferenceSieve.Limit ? ReferenceSieve.Shared.Count(first, last) : CountPrimesInWindow(first, last);
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

        var crossed = Math.Min(root, ReferenceSieve.Limit);
        foreach (ulong p in sieve.Primes)
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
