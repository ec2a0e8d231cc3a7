namespace GrainPool.Client;

/// <summary>A contiguous part [First, Last] of a range job.</summary>
internal sealed record RangeChunk(ulong First, ulong Last);

/// <summary>A batch of items starting at input index <see cref="Start"/>; <see cref="Sequence"/> orders streamed chunks.</summary>
internal sealed record ItemChunk<TItem>(long Sequence, long Start, TItem[] Items);

/// <summary>Hands out [first, last] in chunks of a fixed size, lock-free.</summary>
internal sealed class RangeChunkSource(ulong first, ulong last, ulong chunkSize) : IChunkSource<RangeChunk>
{
    private readonly long _count = (long)(((UInt128)last - first + chunkSize) / chunkSize);
    private long _next = -1;

    public ValueTask<RangeChunk?> NextAsync(CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _next);
        if (index >= _count)
        {
            return ValueTask.FromResult<RangeChunk?>(null);
        }

        var chunkFirst = first + (ulong)index * chunkSize;
        var chunkLast = index == _count - 1 ? last : chunkFirst + chunkSize - 1;
        return ValueTask.FromResult<RangeChunk?>(new RangeChunk(chunkFirst, chunkLast));
    }
}

/// <summary>Hands out a list in chunks; each chunk copies only its own items.</summary>
internal sealed class ListChunkSource<TItem>(IReadOnlyList<TItem> items, int chunkSize) : IChunkSource<ItemChunk<TItem>>
{
    private readonly long _count = (items.Count + (long)chunkSize - 1) / chunkSize;
    private long _next = -1;

    public ValueTask<ItemChunk<TItem>?> NextAsync(CancellationToken cancellationToken)
    {
        var index = Interlocked.Increment(ref _next);
        if (index >= _count)
        {
            return ValueTask.FromResult<ItemChunk<TItem>?>(null);
        }

        var start = (int)(index * chunkSize);
        var length = Math.Min(chunkSize, items.Count - start);
        var batch = new TItem[length];
        for (var i = 0; i < length; i++)
        {
            batch[i] = items[start + i];
        }

        return ValueTask.FromResult<ItemChunk<TItem>?>(new ItemChunk<TItem>(index, start, batch));
    }
}

/// <summary>
/// Reads a lazy stream into chunks, one reader at a time, and never more than <c>window</c> chunks ahead of the
/// consumer: <see cref="Release"/> is called as each chunk's results are handed on. That is what bounds memory.
/// </summary>
internal sealed class StreamChunkSource<TItem>(IAsyncEnumerable<TItem> items, int chunkSize, int window) : IChunkSource<ItemChunk<TItem>>, IAsyncDisposable
{
    private readonly SemaphoreSlim _reader = new(1, 1);
    private readonly SemaphoreSlim _window = new(window, window);
    private IAsyncEnumerator<TItem>? _enumerator;
    private bool _done;
    private long _sequence;
    private long _start;

    public async ValueTask<ItemChunk<TItem>?> NextAsync(CancellationToken cancellationToken)
    {
        if (chunkSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "ChunkSize must be at least 1.");
        }

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

/// <summary>Reports progress at most ten times a second (and at the end) to the caller's IProgress.</summary>
internal sealed class ProgressReporter(IProgress<MapProgress>? progress, long? total, long startedTimestamp)
{
    private long _done;
    private long _lastReport;

    public void Add(long units)
    {
        var done = Interlocked.Add(ref _done, units);
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
