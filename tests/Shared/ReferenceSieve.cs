namespace GrainPool.Tests.Shared;

/// <summary>
/// The test suite's own prime table: a plain, non-segmented sieve of Eratosthenes over a bool[] up to
/// <see cref="Limit"/>, with a prime count per 64-number block so that range counts are cheap. Built once per run.
/// Deliberately nothing like the kernel's sieve (no odd-only packing, no pattern, no segments).
/// </summary>
internal sealed class ReferenceSieve
{
    /// <summary>Largest value the table covers (about 14 kernel sieve segments, and sqrt of 9e14).</summary>
    public const int Limit = 30_000_000;

    private const int BlockSize = 64;
    private static readonly Lazy<ReferenceSieve> Instance = new(() => new ReferenceSieve(Limit));

    private readonly bool[] _composite;
    private readonly int[] _primesBeforeBlock;
    private readonly Lazy<uint[]> _primes;

    private ReferenceSieve(int limit)
    {
        _composite = new bool[limit + 1];
        _composite[0] = true;
        _composite[1] = true;
        for (long i = 2; i * i <= limit; i++)
        {
            if (_composite[i])
            {
                continue;
            }

            for (var j = i * i; j <= limit; j += i)
            {
                _composite[j] = true;
            }
        }

        _primesBeforeBlock = new int[(limit / BlockSize) + 2];
        var running = 0;
        for (var i = 0; i <= limit; i++)
        {
            if (i % BlockSize == 0)
            {
                _primesBeforeBlock[i / BlockSize] = running;
            }

            if (!_composite[i])
            {
                running++;
            }
        }

        _primesBeforeBlock[^1] = running;
        _primes = new Lazy<uint[]>(() => [.. Enumerable.Range(0, limit + 1).Where(i => !_composite[i]).Select(i => (uint)i)]);
    }

    public static ReferenceSieve Shared => Instance.Value;

    /// <summary>Every prime up to <see cref="Limit"/>, ascending.</summary>
    public uint[] Primes => _primes.Value;

    public bool IsPrime(ulong n) => n <= Limit
        ? !_composite[n]
        : throw new ArgumentOutOfRangeException(nameof(n), n, $"The reference sieve covers 0..{Limit}.");

    /// <summary>Primes p with first &lt;= p &lt;= last.</summary>
    public ulong Count(ulong first, ulong last)
    {
        if (first > last || last > Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"The reference sieve counts ranges inside 0..{Limit}; got [{first}, {last}].");
        }

        return (ulong)(CountBelow((int)last + 1) - CountBelow((int)first));
    }

    private int CountBelow(int x)
    {
        var block = x / BlockSize;
        var count = _primesBeforeBlock[block];
        for (var i = block * BlockSize; i < x; i++)
        {
            if (!_composite[i])
            {
                count++;
            }
        }

        return count;
    }
}
