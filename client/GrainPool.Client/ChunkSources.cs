namespace GrainPool.Client;

/// <summary>A contiguous part [First, Last] of a range job.</summary>
internal sealed record RangeChunk(ulong First, ulong Last);

/// <summary>A batch of items starting at input index <see cref="Start"/>; <see cref="Sequence"/> orders streamed chunks.</summary>
internal sealed record ItemChunk<TItem>(long Sequence, long Start, TItem[] Items);

/// <summary>
/// Hands out [first, last] in chunks. A fixed size when the caller gives one; otherwise guided self-scheduling: each
/// chunk is about <c>target</c> long at the measured rate of a worker, never more than the remaining work over twice
/// the workers (so the last chunks shrink and no core idles at the end), never less than the kernel's minimum.
/// Kernel cost can grow with n (trial division), which the rate follows.
/// </summary>
internal sealed class RangeChunkSource(ulong first, ulong last, ulong? fixedSize, ulong minChunk, int workers, TimeSpan target) : IChunkSource<RangeChunk>
{
    private readonly Lock _gate = new();
    private readonly ulong _minChunk = Math.Max(1, minChunk);
    private UInt128 _next = first;
    private readonly RateEstimate _rate = new(); // numbers per second of one worker's kernel time

    public ValueTask<RangeChunk?> NextAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_next > last)
            {
                return ValueTask.FromResult<RangeChunk?>(null);
            }

            var remaining = (UInt128)last - _next + 1;
            var size = (UInt128)(fixedSize ?? ChooseSize(remaining));
            var chunkFirst = (ulong)_next;
            var chunkLast = size >= remaining ? last : (ulong)(_next + size - 1);
            _next = (UInt128)chunkLast + 1;
            return ValueTask.FromResult<RangeChunk?>(new RangeChunk(chunkFirst, chunkLast));
        }
    }

    /// <summary>Feeds back how long a chunk kept its worker busy.</summary>
    public void Completed(RangeChunk chunk, double busySeconds) => _rate.Add((double)chunk.Last - chunk.First + 1, busySeconds);

    private ulong ChooseSize(UInt128 remaining)
    {
        var guided = remaining / (UInt128)(2 * workers);
        // Before any chunk has reported, start small enough to learn the rate quickly.
        var rate = _rate.PerSecond;
        var paced = double.IsNaN(rate) ? (UInt128)_minChunk * 16 : (UInt128)Math.Max(1, Math.Min(rate * target.TotalSeconds, 1e19));
        var size = UInt128.Min(guided, paced);
        return (ulong)UInt128.Clamp(size, _minChunk, ulong.MaxValue);
    }
}

/// <summary>
/// Sizes item chunks. A fixed size when the caller gives one; otherwise chunks of about <c>target</c> of one worker's
/// kernel time at the measured rate, never more than <c>maxSize</c> (the Pool.map-like count rule), and a single item
/// until the first chunk has reported: an item's cost is unknown, and a chunk of many slow items would outlast
/// Orleans' 30 s response timeout, which counts the wait behind the chunk ahead of it too.
/// </summary>
internal sealed class ItemChunkPacer
{
    private readonly int? _fixedSize;
    private readonly int _maxSize;
    private readonly TimeSpan _target;
    private readonly RateEstimate _rate = new(); // items per second of one worker's kernel time

    public ItemChunkPacer(int? fixedSize, int maxSize, TimeSpan target)
    {
        if (fixedSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fixedSize), fixedSize, "ChunkSize must be at least 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        _fixedSize = fixedSize;
        _maxSize = maxSize;
        _target = target;
    }

    public int NextSize()
    {
        if (_fixedSize is { } size)
        {
            return size;
        }

        var rate = _rate.PerSecond;
        return double.IsNaN(rate) ? 1 : (int)Math.Clamp(Math.Round(rate * _target.TotalSeconds), 1, _maxSize);
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

/// <summary>Hands out a list in chunks sized by an <see cref="ItemChunkPacer"/>; each chunk copies only its own items.</summary>
internal sealed class ListChunkSource<TItem>(IReadOnlyList<TItem> items, ItemChunkPacer pacer) : IChunkSource<ItemChunk<TItem>>
{
    private readonly Lock _gate = new();
    private long _sequence;
    private int _next;

    /// <summary>Fixed chunks of <paramref name="chunkSize"/> items.</summary>
    public ListChunkSource(IReadOnlyList<TItem> items, int chunkSize)
        : this(items, new ItemChunkPacer(chunkSize, chunkSize, TimeSpan.Zero))
    {
    }

    public ValueTask<ItemChunk<TItem>?> NextAsync(CancellationToken cancellationToken)
    {
        int start;
        int length;
        long sequence;
        lock (_gate)
        {
            if (_next >= items.Count)
            {
                return ValueTask.FromResult<ItemChunk<TItem>?>(null);
            }

            start = _next;
            length = (int)Math.Min(pacer.NextSize(), items.Count - (long)start);
            _next = start + length;
            sequence = _sequence++;
        }

        var batch = new TItem[length];
        Copy(items, start, batch);
        return ValueTask.FromResult<ItemChunk<TItem>?>(new ItemChunk<TItem>(sequence, start, batch));
    }

    /// <summary>
    /// Copies items[start..] into <paramref name="batch"/>: one block copy for arrays, lists and array segments, which
    /// is what callers pass nearly always; item by item through the interface otherwise. Item by item cost the client
    /// about half of its CPU in a 10^7-item map, time taken from the silos on a machine that hosts both.
    /// </summary>
    private static void Copy(IReadOnlyList<TItem> items, int start, TItem[] batch)
    {
        // ReadOnlySpan, not Span: a covariant array (a string[] passed as objects) is read, never written.
        ReadOnlySpan<TItem> block = items switch
        {
            TItem[] array => new ReadOnlySpan<TItem>(array, start, batch.Length),
            List<TItem> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list).Slice(start, batch.Length),
            ArraySegment<TItem> segment => new ReadOnlySpan<TItem>(segment.Array, segment.Offset + start, batch.Length),
            _ => default,
        };
        if (block.Length == batch.Length)
        {
            block.CopyTo(batch);
            return;
        }

        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = items[start + i];
        }
    }
}

/// <summary>
/// Reads a lazy stream into chunks, one reader at a time, and never more than <c>window</c> chunks ahead of the
/// consumer: <see cref="Release"/> is called as each chunk's results are handed on. That is what bounds memory.
/// </summary>
internal sealed class StreamChunkSource<TItem>(IAsyncEnumerable<TItem> items, ItemChunkPacer pacer, int window) : IChunkSource<ItemChunk<TItem>>, IAsyncDisposable
{
    private readonly SemaphoreSlim _reader = new(1, 1);
    private readonly SemaphoreSlim _window = new(window, window);
    private IAsyncEnumerator<TItem>? _enumerator;
    private bool _done;
    private long _sequence;
    private long _start;

    public async ValueTask<ItemChunk<TItem>?> NextAsync(CancellationToken cancellationToken)
    {
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _reader.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_done)
            {
                _window.Release();
                return null;
            }

            _enumerator ??= items.GetAsyncEnumerator(cancellationToken);
            var chunkSize = pacer.NextSize();
            var batch = new List<TItem>(chunkSize);
            while (batch.Count < chunkSize && await _enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                batch.Add(_enumerator.Current);
            }

            if (batch.Count < chunkSize)
            {
                _done = true;
            }

            if (batch.Count == 0)
            {
                _window.Release();
                return null;
            }

            var chunk = new ItemChunk<TItem>(_sequence++, _start, [.. batch]);
            _start += batch.Count;
            return chunk;
        }
        finally
        {
            _reader.Release();
        }
    }

    public void Release() => _window.Release();

    public async ValueTask DisposeAsync()
    {
        if (_enumerator is not null)
        {
            await _enumerator.DisposeAsync().ConfigureAwait(false);
        }

        _reader.Dispose();
        _window.Dispose();
    }
}

/// <summary>Reports progress at most ten times a second (and at the end) to the caller's IProgress, and every item to the job's metrics.</summary>
internal sealed class ProgressReporter(IProgress<MapProgress>? progress, long? total, long startedTimestamp, JobMetrics job)
{
    private long _done;
    private long _lastReport;

    public void Add(long units)
    {
        var done = Interlocked.Add(ref _done, units);
        job.ItemsDone(units);
        if (progress is null)
        {
            return;
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastReport);
        var isEnd = total is { } t && done >= t;
        if (!isEnd && System.Diagnostics.Stopwatch.GetElapsedTime(last, now) < TimeSpan.FromMilliseconds(100))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastReport, now, last) != last && !isEnd)
        {
            return;
        }

        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(startedTimestamp, now);
        progress.Report(new MapProgress(done, total, elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0, elapsed));
    }
}
