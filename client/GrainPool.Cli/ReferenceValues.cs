using System.Numerics;

namespace GrainPool.Cli;

/// <summary>
/// Independent values the demo and the load scenarios check results against. None comes from GrainPool's own code: a closed form
/// computed here in BigInteger, and values copied from public tables.
/// </summary>
internal static class ReferenceValues
{
    /// <summary>pi(x), the number of primes up to x, from the public table OEIS A006880 (https://oeis.org/A006880).</summary>
    public static readonly IReadOnlyDictionary<ulong, ulong> PrimeCounts = new Dictionary<ulong, ulong>
    {
        [10_000] = 1_229,
        [100_000] = 9_592,
        [1_000_000] = 78_498,
        [10_000_000] = 664_579,
        [100_000_000] = 5_761_455,
        [1_000_000_000] = 50_847_534,
        [10_000_000_000] = 455_052_511,
    };

    /// <summary>
    /// The k with 2^64 - k prime for 1 &lt;= k &lt;= <see cref="LargestPrimeGap"/>: the ten largest primes below 2^64, from
    /// the Prime Pages' table "primes just less than a power of two" (https://t5k.org/lists/2small/0bit.html), the
    /// row for 2^64: 59, 83, 95, 179, 189, 257, 279, 323, 353, 363.
    /// </summary>
    public static readonly IReadOnlySet<ulong> PrimesBelow2To64 = new HashSet<ulong> { 59, 83, 95, 179, 189, 257, 279, 323, 353, 363 };

    /// <summary>The largest k of <see cref="PrimesBelow2To64"/>: every 2^64 - k with k up to it is covered by the table.</summary>
    public const ulong LargestPrimeGap = 363;

    /// <summary>
    /// S(n) = sum of sqrt(i) for i in range(n), added exactly and rounded once (Python's math.fsum over math.sqrt), as
    /// published in the project's reference table tests/reference/sqrt-sums.tsv.
    /// </summary>
    public static readonly IReadOnlyDictionary<ulong, double> SqrtSums = new Dictionary<ulong, double>
    {
        [1_000_000] = 666666166.4588221,
        [100_000_000] = 666666661666.4587,
    };

    /// <summary>sum(i*i for i in range(n)) by the closed form (n-1)n(2n-1)/6.</summary>
    public static BigInteger SquareSum(ulong n) => n == 0 ? BigInteger.Zero : (BigInteger)(n - 1) * n * ((2 * (BigInteger)n) - 1) / 6;
}
