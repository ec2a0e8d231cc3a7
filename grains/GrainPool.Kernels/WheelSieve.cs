using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GrainPool.Kernels;

/// <summary>
/// Segmented sieve of Eratosthenes on a mod-30 wheel: each byte holds the 8 numbers 30b + {1,7,11,13,17,19,23,29}
/// that are coprime to 30, one bit each (1 = still a candidate). Multiples of 7, 11, 13 and 17 are pre-sieved by
/// copying a repeating pattern; larger base primes cross off their multiples p*m (m coprime to 30) eight at a time.
/// </summary>
internal static class WheelSieve
{
    /// <summary>
    /// Bytes per segment (30 numbers each): 128 KiB spans 3.9 million numbers and stays in a core's L2 cache.
    /// Measured on the 2-core EPYC: 32 KiB is 2x slower at 10^10 (large primes revisit every segment), 256 KiB slower again.
    /// </summary>
    internal const int SegmentBytes = 1 << 17;

    /// <summary>Numbers covered by one segment.</summary>
    internal const ulong SegmentSpan = 30UL * SegmentBytes;

    private const int PatternBytes = 7 * 11 * 13 * 17;
    private const int FirstCrossedPrimeIndex = 6; // index of 19 in the odd base prime list 3, 5, 7, 11, 13, 17, 19

    private static readonly byte[] Residues = [1, 7, 11, 13, 17, 19, 23, 29];
    private static readonly byte[] Pattern = BuildPattern();

    // For a prime with p mod 30 = Residues[c] and the k-th multiplier residue s = Residues[k]:
    // floor(r*s/30) (the byte carry) and the AND mask that clears the bit of r*s mod 30.
    private static readonly byte[] Carry = new byte[64];
    private static readonly byte[] ClearMask = new byte[64];
    private static readonly byte[] ResidueClass = new byte[30];

    static WheelSieve()
    {
        for (var i = 0; i < 30; i++)
        {
            ResidueClass[i] = 255;
        }

        for (var j = 0; j < 8; j++)
        {
            ResidueClass[Residues[j]] = (byte)j;
        }

        for (var c = 0; c < 8; c++)
        {
            for (var k = 0; k < 8; k++)
            {
                var product = Residues[c] * Residues[k];
                Carry[c * 8 + k] = (byte)(product / 30);
                ClearMask[c * 8 + k] = (byte)~(1 << ResidueClass[product % 30]);
            }
        }
    }

    /// <summary>Primes in [lo, hi] that are coprime to 30 (that is, all primes there except 2, 3, 5).</summary>
    /// <param name="lo">First number, at least 7.</param>
    /// <param name="hi">Last number.</param>
    /// <param name="limit">Sieve with primes up to here; survivors above limit^2 are confirmed by Miller-Rabin.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong CountCoprime30(ulong lo, ulong hi, ulong limit)
    {
        // Survivors are prime outright when no composite up to hi can escape the sieve, i.e. (limit+1)^2 > hi.
        var limitSquared = (UInt128)limit * limit;
        var confirmSurvivors = (UInt128)(limit + 1) * (limit + 1) <= hi;
        var primes = BasePrimes.AtLeast(limit);
        var primeCount = BasePrimes.CountUpTo(primes, limit);
        var crossed = Math.Max(0, primeCount - FirstCrossedPrimeIndex);

        var firstByte = lo / 30;
        var lastByte = hi / 30;

        // Per crossed prime: the byte of the current multiplier cycle t*p, relative to the segment start, and the
        // index k of the next multiplier residue in that cycle. Pooled like the segment buffer below: past about 10,600
        // base primes (limits near 1.1 * 10^5, counts past about 1.3 * 10^10) cycleBase is a large-object array, and a
        // range job sieves once per slice. Every element used is written here before it is read.
        var cycleBaseArray = ArrayPool<long>.Shared.Rent(crossed);
        var phaseArray = ArrayPool<byte>.Shared.Rent(crossed);
        var cycleBase = cycleBaseArray.AsSpan(0, crossed);
        var phase = phaseArray.AsSpan(0, crossed);
        for (var j = 0; j < crossed; j++)
        {
            ulong p = primes[j + FirstCrossedPrimeIndex];
            var m = Math.Max(p, lo / p + (lo % p == 0 ? 0UL : 1UL)); // first multiplier: at least p (smaller ones belong to smaller primes)
            var t = m / 30;
            var s = m % 30;
            var k = 0;
            while (k < 8 && Residues[k] < s)
            {
                k++;
            }

            if (k == 8)
            {
                t++;
                k = 0;
            }

            var baseByte = t * p; // <= hi / 30 + p: no overflow
            cycleBase[j] = (long)baseByte - (long)firstByte; // may be far beyond the first segment; never below -p
            phase[j] = (byte)k;
        }

        // Pooled, not new: 128 KiB is a large-object-heap array, and a range job calls this once per slice; allocated per
        // call they were most of a silo's large-object heap and made its memory swing by tens of MB between collections
        // (docs/faults.md). Every byte read is written first (FillPattern, and CountBits clears the slack).
        var buffer = ArrayPool<byte>.Shared.Rent(SegmentBytes + 8);
        try
        {
            ulong count = 0;
            var segStart = firstByte;
            while (true)
            {
                var segLen = (int)Math.Min((ulong)SegmentBytes, lastByte - segStart + 1);
                var seg = buffer.AsSpan(0, segLen);
                FillPattern(seg, segStart);
                if (segStart == 0)
                {
                    seg[0] = (byte)(seg[0] & ~1 | 0b0001_1110); // 1 is not prime; 7, 11, 13, 17 are (the pattern crossed them)
                }

                CrossOff(seg, primes, cycleBase, phase, FirstCrossedPrimeIndex);

                if (segStart == firstByte)
                {
                    seg[0] &= KeepFrom((int)(lo % 30));
                }

                var segLast = segStart + (ulong)segLen - 1;
                if (segLast == lastByte)
                {
                    seg[segLen - 1] &= KeepUpTo((int)(hi % 30));
                }

                // A segment needs Miller-Rabin only where its numbers pass limit^2.
                count += confirmSurvivors && 30 * (UInt128)segLast + 29 > limitSquared
                    ? CountSurvivors(seg, segStart, limitSquared)
                    : CountBits(buffer, segLen);

                if (segLast == lastByte)
                {
                    return count;
                }

                for (var j = 0; j < cycleBase.Length; j++)
                {
                    cycleBase[j] -= segLen;
                }

                segStart = segLast + 1;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(phaseArray);
            ArrayPool<long>.Shared.Return(cycleBaseArray);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CrossOff(Span<byte> seg, uint[] primes, Span<long> cycleBase, Span<byte> phase, int primeOffset)
    {
        var segLen = seg.Length;
        ref var s0 = ref MemoryMarshal.GetReference(seg);
        ref var carry0 = ref MemoryMarshal.GetArrayDataReference(Carry);
        ref var mask0 = ref MemoryMarshal.GetArrayDataReference(ClearMask);
        ref var res0 = ref MemoryMarshal.GetArrayDataReference(Residues);
        for (var j = 0; j < cycleBase.Length; j++)
        {
            var cb = cycleBase[j];
            if (cb >= segLen)
            {
                continue; // next multiple lies in a later segment
            }

            var p = (int)primes[j + primeOffset];
            var a = p / 30;
            var c = ResidueClass[p % 30] * 8;
            int k = phase[j];
            var basePos = (int)cb; // may be negative (down to -p): only the next mark's position is sure to lie in this segment

            // Finish the cycle in progress, one mark at a time.
            while (k != 0)
            {
                var pos = basePos + a * Unsafe.Add(ref res0, k) + Unsafe.Add(ref carry0, c + k);
                if (pos >= segLen)
                {
                    goto Save;
                }

                Unsafe.Add(ref s0, pos) &= Unsafe.Add(ref mask0, c + k);
                k = (k + 1) & 7;
                if (k == 0)
                {
                    basePos += p;
                }
            }

            {
                // Whole cycles: eight marks per p bytes, offsets fixed for this prime.
                var o1 = a * 7 + Unsafe.Add(ref carry0, c + 1);
                var o2 = a * 11 + Unsafe.Add(ref carry0, c + 2);
                var o3 = a * 13 + Unsafe.Add(ref carry0, c + 3);
                var o4 = a * 17 + Unsafe.Add(ref carry0, c + 4);
                var o5 = a * 19 + Unsafe.Add(ref carry0, c + 5);
                var o6 = a * 23 + Unsafe.Add(ref carry0, c + 6);
                var o7 = a * 29 + Unsafe.Add(ref carry0, c + 7);
                var o0 = a + Unsafe.Add(ref carry0, c);
                var m0 = Unsafe.Add(ref mask0, c);
                var m1 = Unsafe.Add(ref mask0, c + 1);
                var m2 = Unsafe.Add(ref mask0, c + 2);
                var m3 = Unsafe.Add(ref mask0, c + 3);
                var m4 = Unsafe.Add(ref mask0, c + 4);
                var m5 = Unsafe.Add(ref mask0, c + 5);
                var m6 = Unsafe.Add(ref mask0, c + 6);
                var m7 = Unsafe.Add(ref mask0, c + 7);
                for (; basePos + o7 < segLen; basePos += p)
                {
                    // Index arithmetic, never a ref to basePos itself: basePos may lie before the buffer.
                    Unsafe.Add(ref s0, basePos + o0) &= m0;
                    Unsafe.Add(ref s0, basePos + o1) &= m1;
                    Unsafe.Add(ref s0, basePos + o2) &= m2;
                    Unsafe.Add(ref s0, basePos + o3) &= m3;
                    Unsafe.Add(ref s0, basePos + o4) &= m4;
                    Unsafe.Add(ref s0, basePos + o5) &= m5;
                    Unsafe.Add(ref s0, basePos + o6) &= m6;
                    Unsafe.Add(ref s0, basePos + o7) &= m7;
                }
            }

            // The last, partial cycle.
            while (true)
            {
                var pos = basePos + a * Unsafe.Add(ref res0, k) + Unsafe.Add(ref carry0, c + k);
                if (pos >= segLen)
                {
                    break;
                }

                Unsafe.Add(ref s0, pos) &= Unsafe.Add(ref mask0, c + k);
                k = (k + 1) & 7;
                if (k == 0)
                {
                    basePos += p;
                }
            }

        Save:
            cycleBase[j] = basePos;
            phase[j] = (byte)k;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillPattern(Span<byte> seg, ulong segStart)
    {
        var offset = (int)(segStart % PatternBytes);
        var filled = 0;
        while (filled < seg.Length)
        {
            var take = Math.Min(seg.Length - filled, PatternBytes - offset);
            Pattern.AsSpan(offset, take).CopyTo(seg[filled..]);
            filled += take;
            offset = 0;
        }
    }

    // Bits of numbers 30b + r with r >= from (the first byte of the range).
    private static byte KeepFrom(int from)
    {
        var mask = 0;
        for (var j = 0; j < 8; j++)
        {
            if (Residues[j] >= from)
            {
                mask |= 1 << j;
            }
        }

        return (byte)mask;
    }

    // Bits of numbers 30b + r with r <= upTo (the last byte of the range).
    private static byte KeepUpTo(int upTo)
    {
        var mask = 0;
        for (var j = 0; j < 8; j++)
        {
            if (Residues[j] <= upTo)
            {
                mask |= 1 << j;
            }
        }

        return (byte)mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong CountBits(byte[] buffer, int length)
    {
        // Zero the slack after the segment so whole 64-bit words can be counted.
        buffer.AsSpan(length, 8).Clear();
        var words = MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan(0, (length + 7) & ~7));
        ulong total = 0;
        foreach (var w in words)
        {
            total += (ulong)BitOperations.PopCount(w);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong CountSurvivors(Span<byte> seg, ulong segStart, UInt128 limitSquared)
    {
        ulong count = 0;
        for (var i = 0; i < seg.Length; i++)
        {
            int bits = seg[i];
            while (bits != 0)
            {
                var j = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                var n = 30 * (segStart + (ulong)i) + Residues[j];
                // No prime factor <= limit: prime outright up to limit^2, otherwise Miller-Rabin decides.
                if (n <= limitSquared || MillerRabin.IsPrime(n))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static byte[] BuildPattern()
    {
        var pattern = new byte[PatternBytes];
        for (var b = 0; b < PatternBytes; b++)
        {
            var bits = 0;
            for (var j = 0; j < 8; j++)
            {
                var n = 30L * b + Residues[j];
                if (n % 7 != 0 && n % 11 != 0 && n % 13 != 0 && n % 17 != 0)
                {
                    bits |= 1 << j;
                }
            }

            pattern[b] = (byte)bits;
        }

        return pattern;
    }
}
