using System.Numerics;

namespace GrainPool.Kernels.Running;

/// <summary>
/// The one rule that sizes chunks, for the client library's jobs of every kind and for the in-process runner (and so
/// for the command line): a fixed size only when the caller gives one; otherwise each chunk is paced to about
/// <see cref="DefaultTargetDuration"/> of one worker's kernel time at the rate the job's finished chunks measured, which
/// follows a cost that grows with n (trial division), and shrinks towards the end so that no worker idles while another
/// finishes a long chunk.
/// </summary>
public static class ChunkPolicy
{
    /// <summary>
    /// Kernel time aimed for per chunk (0.5 s): long enough that a round trip is noise, short enough for fast
    /// cancellation, failover and an even finish, and far below Orleans' 30 s response timeout.
    /// </summary>
    public static readonly TimeSpan DefaultTargetDuration = TimeSpan.FromSeconds(0.5);

    /// <summary>Pool.map's chunksize rule: a list map's chunk is at most its items over this many chunks per worker.</summary>
    public const int MapChunksPerWorker = 4;

    /// <summary>The largest chunk of a stream of unknown length (no count rule can cap it).</summary>
    public const int MaxStreamChunk = 1024;

    /// <summary>Whether <paramref name="fixedSize"/> is a chunk size: null (automatic sizing) or at least 1.</summary>
    public static bool IsValid<T>(T? fixedSize) where T : struct, INumber<T> => fixedSize is not { } size || size >= T.One;

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="paramName"/> and the value when
    /// <paramref name="fixedSize"/> is not <see cref="IsValid{T}"/>.
    /// </summary>
    public static void ThrowIfInvalid<T>(T? fixedSize, string paramName) where T : struct, INumber<T>
    {
        if (!IsValid(fixedSize) && fixedSize is { } size)
        {
            throw new ArgumentOutOfRangeException(paramName, size, $"{paramName} must be at least 1 (or null to pace chunks by measured kernel time).");
        }
    }

    /// <summary>How many chunks of <paramref name="size"/> numbers a range of <paramref name="width"/> numbers makes.</summary>
    public static UInt128 ChunkCount(UInt128 width, ulong size) => (width + size - 1) / Math.Max(size, 1);

    /// <summary>The count rule of a list map: at most about <see cref="MapChunksPerWorker"/> chunks per worker.</summary>
    public static int MaxListChunk(int count, int workers) =>
        Math.Max(1, (int)Math.Ceiling(count / (Math.Max(1, workers) * (double)MapChunksPerWorker)));

    // The guided share of what is left: at most the remaining work over twice the lanes that pull chunks (a worker's
    // queued chunk waits behind its running one), so the last chunks shrink and no lane is left with a long tail.
    internal static UInt128 GuidedShare(UInt128 remaining, int lanes) => UInt128.Max(1, remaining / (UInt128)(2 * Math.Max(1, lanes)));
}

/// <summary>
/// Hands out a range [first, last] in chunks (thread-safe): a fixed size when the caller gives one; otherwise about the
/// target duration at the measured rate of a worker, never more than the remaining work over twice the lanes that pull
/// chunks (workers x chunks in flight per worker), never less than the kernel's minimum (before any chunk has reported, 16 minimum chunks, to learn the rate quickly).
/// </summary>
public sealed class RangeChunker
{
    private readonly Lock _gate = new();
    private readonly ulong _last;
    private readonly ulong? _fixedSize;
    private readonly ulong _minChunk;
    private readonly int _lanes;
    private readonly TimeSpan _target;
    private readonly RateEstimate _rate = new(); // numbers per second of one worker's kernel time
    private UInt128 _next;
    private ulong _widest = ulong.MaxValue;

    /// <summary>A chunker of [<paramref name="first"/>, <paramref name="last"/>] pulled by <paramref name="lanes"/> lanes.</summary>
    public RangeChunker(ulong first, ulong last, ulong? fixedSize, ulong minChunk, int lanes, TimeSpan target)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        ChunkPolicy.ThrowIfInvalid(fixedSize, nameof(fixedSize));
        _next = first;
        _last = last;
        _fixedSize = fixedSize;
        _minChunk = Math.Max(1, minChunk);
        _lanes = Math.Max(1, lanes);
        _target = target;
    }

    /// <summary>The next chunk, or false when the range is handed out.</summary>
    public bool TryNext(out ulong first, out ulong last)
    {
        lock (_gate)
        {
            if (_next > _last)
            {
                first = last = 0;
                return false;
            }

            var remaining = (UInt128)_last - _next + 1;
            var size = (UInt128)Math.Min(_fixedSize ?? ChooseSize(remaining), _widest);
            first = (ulong)_next;
            last = size >= remaining ? _last : (ulong)(_next + size - 1);
            _next = (UInt128)last + 1;
            return true;
        }
    }

    /// <summary>Feeds back how long the chunk [first, last] kept its worker busy.</summary>
    public void Completed(ulong first, ulong last, double busySeconds)
    {
        if (_fixedSize is null)
        {
            _rate.Add((double)last - first + 1, busySeconds);
        }
    }

    /// <summary>
    /// No later chunk, not even of a fixed size, is wider than <paramref name="width"/> numbers (at least 1): what a
    /// worker could return in one message when a wider chunk's partial result was too large for one.
    /// </summary>
    public void LimitWidth(ulong width)
    {
        lock (_gate)
        {
            _widest = Math.Clamp(width, 1, _widest);
        }
    }

    private ulong ChooseSize(UInt128 remaining)
    {
        var rate = _rate.PerSecond;
        var paced = double.IsNaN(rate) ? (UInt128)_minChunk * 16 : (UInt128)Math.Max(1, Math.Min(rate * _target.TotalSeconds, 1e19));
        var size = UInt128.Min(ChunkPolicy.GuidedShare(remaining, _lanes), paced);
        return (ulong)UInt128.Clamp(size, _minChunk, ulong.MaxValue);
    }
}

/// <summary>
/// Sizes item chunks (thread-safe). A fixed size when the caller gives one; otherwise chunks of about the target
/// duration of one worker's kernel time at the measured rate, never more than <c>maxSize</c> (the count rule), nor,
/// when the items left are known, more than those over twice the lanes that pull chunks; and a single item until the first chunk has
/// reported: an item's cost is unknown, and a chunk of many slow items would outlast Orleans' 30 s response timeout,
/// which counts the wait behind the chunk ahead of it too.
/// </summary>
public sealed class ItemChunkPacer
{
    private readonly int? _fixedSize;
    private readonly int _maxSize;
    private readonly TimeSpan _target;
    private readonly int _lanes;
    private readonly RateEstimate _rate = new(); // items per second of one worker's kernel time
    private readonly int _perMessage;

    /// <summary>
    /// A pacer capped at <paramref name="maxSize"/> items, for <paramref name="lanes"/> lanes pulling chunks; no chunk,
    /// not even of a fixed size, holds more than <paramref name="perMessage"/> items (what one message can carry).
    /// </summary>
    public ItemChunkPacer(int? fixedSize, int maxSize, TimeSpan target, int lanes = 1, int perMessage = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMessage, 1);
        _perMessage = perMessage;
        ChunkPolicy.ThrowIfInvalid(fixedSize, nameof(fixedSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        _fixedSize = fixedSize;
        _maxSize = maxSize;
        _target = target;
        _lanes = Math.Max(1, lanes);
    }

    /// <summary>Items in the next chunk of a stream (how many are left is unknown).</summary>
    public int NextSize()
    {
        if (_fixedSize is { } size)
        {
            return Math.Min(size, _perMessage);
        }

        var rate = _rate.PerSecond;
        return double.IsNaN(rate) ? 1 : (int)Math.Clamp(Math.Round(rate * _target.TotalSeconds), 1, Math.Min(_maxSize, _perMessage));
    }

    /// <summary>Items in the next chunk of a list with <paramref name="remaining"/> items left (at most that many).</summary>
    public int NextSize(long remaining)
    {
        var size = NextSize();
        if (_fixedSize is null)
        {
            size = (int)Math.Min(size, (long)ChunkPolicy.GuidedShare((UInt128)Math.Max(remaining, 1), _lanes));
        }

        return (int)Math.Min(size, Math.Max(remaining, 0));
    }

    /// <summary>Feeds back how long a chunk of <paramref name="items"/> kept its worker busy.</summary>
    public void Completed(int items, double busySeconds)
    {
        if (_fixedSize is null && items > 0)
        {
            _rate.Add(items, busySeconds);
        }
    }
}

/// <summary>
/// A worker's rate (units per second of kernel time), averaged over the chunks that report: the latest weighs 30%, so
/// the estimate follows a cost that changes along the job (trial division grows with n).
/// </summary>
internal sealed class RateEstimate
{
    private readonly Lock _gate = new();
    private double _perSecond = double.NaN;

    /// <summary>Units per second so far; NaN until a chunk has reported.</summary>
    public double PerSecond
    {
        get
        {
            lock (_gate)
            {
                return _perSecond;
            }
        }
    }

    public void Add(double units, double busySeconds)
    {
        // A chunk too quick to time (a microsecond or less) still says the work is cheap.
        var rate = units / Math.Max(busySeconds, 1e-6);
        lock (_gate)
        {
            _perSecond = double.IsNaN(_perSecond) ? rate : (0.7 * _perSecond) + (0.3 * rate);
        }
    }
}

/// <summary>
/// The sizes of the chunks jobs actually used (numbers of a range, or items), as counts per size: how many chunks, and
/// the smallest, median and largest. Thread-safe; adding another log merges it.
/// </summary>
public sealed class ChunkSizeLog
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<ulong, long> _counts = [];

    /// <summary>Chunks recorded.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _counts.Values.Sum();
            }
        }
    }

    /// <summary>The smallest chunk, or null when none was recorded.</summary>
    public ulong? Smallest => At(0);

    /// <summary>The median chunk (the lower middle one of an even count), or null when none was recorded.</summary>
    public ulong? Median => At(-1);

    /// <summary>The largest chunk, or null when none was recorded.</summary>
    public ulong? Largest => At(long.MaxValue);

    /// <summary>Records one chunk of <paramref name="size"/>.</summary>
    public void Add(ulong size)
    {
        lock (_gate)
        {
            _counts[size] = _counts.GetValueOrDefault(size) + 1;
        }
    }

    /// <summary>Records every chunk of <paramref name="other"/>.</summary>
    public void Add(ChunkSizeLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        KeyValuePair<ulong, long>[] theirs;
        lock (other._gate)
        {
            theirs = [.. other._counts];
        }

        lock (_gate)
        {
            foreach (var (size, count) in theirs)
            {
                _counts[size] = _counts.GetValueOrDefault(size) + count;
            }
        }
    }

    /// <summary>A copy that later additions to this log do not change.</summary>
    public ChunkSizeLog Snapshot()
    {
        var copy = new ChunkSizeLog();
        copy.Add(this);
        return copy;
    }

    // The size at sorted position `rank` (clamped to the last); -1 for the lower median.
    private ulong? At(long rank)
    {
        lock (_gate)
        {
            var total = _counts.Values.Sum();
            if (total == 0)
            {
                return null;
            }

            var position = rank < 0 ? (total - 1) / 2 : Math.Min(rank, total - 1);
            foreach (var (size, count) in _counts)
            {
                if (position < count)
                {
                    return size;
                }

                position -= count;
            }

            return _counts.Keys.Last();
        }
    }
}
