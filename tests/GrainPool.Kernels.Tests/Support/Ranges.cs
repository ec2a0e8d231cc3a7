namespace GrainPool.Kernels.Tests.Support;

/// <summary>Splitting ranges into chunks, and random values, for the cross-checks (always from fixed seeds).</summary>
internal static class Ranges
{
    public const ulong TwoPow63 = 1UL << 63;

    /// <summary>[first, last] cut into <paramref name="parts"/> contiguous chunks of near-equal width (fewer if the range is narrower).</summary>
    public static List<(ulong First, ulong Last)> SplitEvenly(ulong first, ulong last, int parts)
    {
        var width = (UInt128)last - first + 1;
        var count = (UInt128)parts < width ? (UInt128)parts : width;
        var chunks = new List<(ulong, ulong)>();
        for (UInt128 i = 0; i < count; i++)
        {
            var chunkFirst = (ulong)(first + (width * i / count));
            var chunkLast = (ulong)(first + (width * (i + 1) / count) - 1);
            chunks.Add((chunkFirst, chunkLast));
        }

        return chunks;
    }

    /// <summary>[first, last] cut at <paramref name="parts"/> - 1 distinct random points.</summary>
    public static List<(ulong First, ulong Last)> SplitRandomly(ulong first, ulong last, int parts, Random random)
    {
        var width = (UInt128)last - first + 1;
        var cutCount = (int)UInt128.Min((UInt128)(parts - 1), width - 1);
        var cuts = new SortedSet<ulong>();
        while (cuts.Count < cutCount)
        {
            // a cut at c starts a new chunk at c, for c in (first, last]
            cuts.Add(first + 1 + RandomBelow(random, (ulong)(width - 1)));
        }

        var chunks = new List<(ulong, ulong)>();
        var start = first;
        foreach (var cut in cuts)
        {
            chunks.Add((start, cut - 1));
            start = cut;
        }

        chunks.Add((start, last));
        return chunks;
    }

    /// <summary>A uniformly random 64-bit value.</summary>
    public static ulong NextUInt64(Random random)
    {
        Span<byte> bytes = stackalloc byte[8];
        random.NextBytes(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    /// <summary>A random value in [0, bound) (bound &gt; 0), without modulo bias worth caring about in a test.</summary>
    public static ulong RandomBelow(Random random, ulong bound) => bound <= long.MaxValue
        ? (ulong)random.NextInt64((long)bound)
        : NextUInt64(random) % bound;

    /// <summary>A random value in [low, high] inclusive.</summary>
    public static ulong RandomBetween(Random random, ulong low, ulong high) =>
        high - low == ulong.MaxValue ? NextUInt64(random) : low + RandomBelow(random, high - low + 1);

    /// <summary>10^k.</summary>
    public static ulong PowerOfTen(int k)
    {
        ulong value = 1;
        for (var i = 0; i < k; i++)
        {
            value = checked(value * 10);
        }

        return value;
    }
}
