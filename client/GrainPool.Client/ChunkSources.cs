using System.Buffers;
using System.Runtime.InteropServices;
using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace GrainPool.Client;

/// <summary>A contiguous part [First, Last] of a range job.</summary>
internal sealed record RangeChunk(ulong First, ulong Last);

/// <summary>
/// A batch of <see cref="Length"/> items starting at input index <see cref="Start"/>; <see cref="Sequence"/> orders
/// streamed chunks. Items that travel as raw bytes (<see cref="PackedArray{T}.IsPackable"/>) sit in an array rented from
/// <see cref="ArrayPool{T}.Shared"/>, as the silo's batches and results do: a client running map after map reuses the
/// same few arrays instead of allocating each chunk's (large-object-heap) array anew. The job returns it through
/// <see cref="Done"/> once the chunk's results are handed on, and only when one attempt computed it: a chunk that was
/// tried again may still be read by the worker of an attempt given up (a call is cancelled, not waited for),
/// so its array is left to the garbage collector, as is the array of a chunk its failed or cancelled job never finished.
/// Other items (with references, sized by serializing the exact array) get an array of their own.
/// </summary>
internal sealed class ItemChunk<TItem>
{
    private readonly bool _pooled;
    private TItem[]? _buffer;
    private int _attempts;

    private ItemChunk(long sequence, long start, TItem[] buffer, int length, bool pooled)
    {
        Sequence = sequence;
        Start = start;
        Length = length;
        _buffer = buffer;
        _pooled = pooled;
    }

    public long Sequence { get; }

    public long Start { get; }

    public int Length { get; }

    /// <summary>The items, valid until <see cref="Done"/>.</summary>
    public ReadOnlySpan<TItem> Items => new(Buffer, 0, Length);

    /// <summary>The whole batch as one request sends it (the array is not copied, and stays this chunk's).</summary>
    public PackedArray<TItem> Batch => new(Buffer, Length);

    // The live array; reading a chunk after it was done is a bug in its job.
    private TItem[] Buffer => Volatile.Read(ref _buffer) ?? throw new ObjectDisposedException(nameof(ItemChunk<TItem>), "The chunk's items were returned to the pool when it was done.");

    /// <summary>
    /// The chunk's own array of exactly its items, for items with references (sized by serializing it); those are never
    /// pooled, so it is never longer than the chunk.
    /// </summary>
    public TItem[] Exact => _pooled ? throw new InvalidOperationException("A pooled chunk's array is longer than its items: use Items or Batch.") : Buffer;

    /// <summary>Item <paramref name="index"/> of the chunk.</summary>
    public TItem this[int index] => (uint)index < (uint)Length ? Buffer[index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"The chunk holds {Length} items.");

    /// <summary>A chunk of <paramref name="length"/> items, copied by <paramref name="fill"/> from <paramref name="state"/> into its array.</summary>
    public static ItemChunk<TItem> Create<TState>(long sequence, long start, int length, TState state, SpanAction<TItem, TState> fill)
    {
        var pooled = PackedArray<TItem>.IsPackable && length > 0;
        var buffer = pooled ? ArrayPool<TItem>.Shared.Rent(length) : new TItem[length];
        fill(buffer.AsSpan(0, length), state);
        return new ItemChunk<TItem>(sequence, start, buffer, length, pooled);
    }

    /// <summary>An attempt to compute the chunk on a worker begins (see the class remarks).</summary>
    public void Attempting() => Interlocked.Increment(ref _attempts);

    /// <summary>
    /// The chunk's results were handed on and nothing reads its items any more: a pooled array goes back to the pool if
    /// one attempt computed the chunk (see the class remarks).
    /// </summary>
    public void Done()
    {
        if (_pooled && Volatile.Read(ref _attempts) <= 1 && Interlocked.Exchange(ref _buffer, null) is { } rented)
        {
            ArrayPool<TItem>.Shared.Return(rented);
        }
    }
}

/// <summary>Hands out [first, last] in chunks sized by the one <see cref="ChunkPolicy"/> (see <see cref="RangeChunker"/>).</summary>
internal sealed class RangeChunkSource(ulong first, ulong last, ulong? fixedSize, ulong minChunk, int workers, TimeSpan target) : IChunkSource<RangeChunk>
{
    private readonly RangeChunker _chunker = new(first, last, fixedSize, minChunk, workers, target);

    public ValueTask<RangeChunk?> NextAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_chunker.TryNext(out var chunkFirst, out var chunkLast) ? new RangeChunk(chunkFirst, chunkLast) : null);

    /// <summary>Feeds back how long a chunk kept its worker busy.</summary>
    public void Completed(RangeChunk chunk, double busySeconds) => _chunker.Completed(chunk.First, chunk.Last, busySeconds);

    /// <summary>No later chunk is wider than <paramref name="width"/> numbers (see <see cref="RangeChunker.LimitWidth"/>).</summary>
    public void LimitWidth(ulong width) => _chunker.LimitWidth(width);
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
            length = pacer.NextSize(items.Count - (long)start);
            _next = start + length;
            sequence = _sequence++;
        }

        return ValueTask.FromResult<ItemChunk<TItem>?>(ItemChunk<TItem>.Create(sequence, start, length, (items, start), static (batch, from) => Copy(from.items, from.start, batch)));
    }

    /// <summary>
    /// Copies items[start..] into <paramref name="batch"/>: one block copy for arrays, lists and array segments, which
    /// is what callers pass nearly always; item by item through the interface otherwise. Item by item cost the client
    /// about half of its CPU in a 10^7-item map, time taken from the silos on a machine that hosts both.
    /// </summary>
    private static void Copy(IReadOnlyList<TItem> items, int start, Span<TItem> batch)
    {
        // ReadOnlySpan, not Span: a covariant array (a string[] passed as objects) is read, never written.
        ReadOnlySpan<TItem> block = items switch
        {
            TItem[] array => new ReadOnlySpan<TItem>(array, start, batch.Length),
            List<TItem> list => CollectionsMarshal.AsSpan(list).Slice(start, batch.Length),
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

            var chunk = ItemChunk<TItem>.Create(_sequence++, _start, batch.Count, batch, static (items, read) => CollectionsMarshal.AsSpan(read).CopyTo(items));
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
