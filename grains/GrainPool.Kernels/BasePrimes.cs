using System.Runtime.CompilerServices;

namespace GrainPool.Kernels;

/// <summary>
/// The odd primes up to a limit, computed once per process and grown on demand. Read-only once published,
/// so every thread of one worker process can share it.
/// </summary>
internal static class BasePrimes
{
    private static readonly Lock Gate = new();

    // The array and the limit it covers are published together, so a reader never pairs a new limit with an old array.
    private static volatile Table _table = new([3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61], 63);

    /// <summary>Odd primes p &lt;= limit (a prefix of the returned array; use <see cref="CountUpTo"/> for its length).</summary>
    public static uint[] AtLeast(ulong limit)
    {
        var table = _table;
        if (table.Limit >= limit)
        {
            return table.Primes;
        }

        lock (Gate)
        {
            if (_table.Limit < limit)
            {
                // Grow geometrically so that a sequence of chunks with rising limits sieves O(log) times.
                var target = Math.Max(limit, Math.Min(_table.Limit * 2, PrimeCounting.MaxBasePrimeLimit));
                _table = new Table(SieveOddPrimes((uint)target), target);
            }

            return _table.Primes;
        }
    }

    /// <summary>How many entries of <paramref name="primes"/> are &lt;= <paramref name="limit"/>.</summary>
    public static int CountUpTo(uint[] primes, ulong limit)
    {
        var index = Array.BinarySearch(primes, (uint)Math.Min(limit, uint.MaxValue));
        return index >= 0 ? index + 1 : ~index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint[] SieveOddPrimes(uint limit)
    {
        // Plain odd-only byte sieve: limit is at most MaxBasePrimeLimit, so this stays small and fast.
        var size = (int)((limit - 1) / 2); // index i stands for 2i+3
        var composite = new bool[size];
        var list = new List<uint>(EstimateCount(limit));
        for (var i = 0; i < size; i++)
        {
            if (composite[i])
            {
                continue;
            }

            var p = (uint)(2 * i + 3);
            list.Add(p);
            var square = (ulong)p * p;
            if (square > limit)
            {
                continue;
            }

            for (var j = (long)((square - 3) / 2); j < size; j += p)
            {
                composite[j] = true;
            }
        }

        return [.. list];
    }

    private sealed record Table(uint[] Primes, ulong Limit);

    private static int EstimateCount(uint limit) => (int)Math.Min(int.MaxValue / 2, 1.3 * limit / Math.Max(1, Math.Log(limit)) + 16);
}
