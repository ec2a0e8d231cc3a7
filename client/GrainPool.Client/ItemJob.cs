using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GrainPool.Abstractions;
using GrainPool.Kernels.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Serialization;

namespace GrainPool.Client;

/// <summary>
/// An item kernel over items: chunks paced by an <see cref="ItemChunkPacer"/> (measured kernel time, or the caller's
/// fixed size), per-item errors failing fast or collected (<see cref="MapOptions.Errors"/>). How results reach the
/// caller (in order, as they come, or in order from a lazy stream) is each kind's <see cref="DeliverAsync"/>.
/// </summary>
internal abstract class ItemJob<TItem, TResult>(IGrainFactory grains, ILogger logger, ItemKernel<TItem, TResult> kernel, string kind, MapOptions options)
    : ClientJob<ItemChunk<TItem>>(grains, logger, kernel.Id, kind, options)
{
    // Items with references (strings, arrays, records) are sized by serializing them before they are sent; raw-byte
    // items by their count (ItemsPerMessage). Only a cluster client serializes requests.
    private readonly MessageFit? _requestFit = PackedArray<TItem>.IsPackable ? null
        : (grains as IClusterClient)?.ServiceProvider.GetService<Serializer>() is { } serializer ? new MessageFit(serializer) : null;

    private ItemChunkPacer? _pacer;
    private long _completed;

    protected string KernelId => kernel.Id;

    protected MapOptions MapOptions => options;

    protected sealed override IChunkSource<ItemChunk<TItem>> CreateSource(int workers, int lanes)
    {
        _pacer = CreatePacer(workers, lanes);
        return CreateSource(_pacer, lanes);
    }

    /// <summary>The job's chunk sizes: the caller's fixed size or paced by measured kernel time (see <see cref="ChunkPolicy"/>).</summary>
    protected abstract ItemChunkPacer CreatePacer(int workers, int lanes);

    /// <summary>The job's items in chunks of the sizes <paramref name="pacer"/> gives.</summary>
    protected abstract IChunkSource<ItemChunk<TItem>> CreateSource(ItemChunkPacer pacer, int lanes);

    /// <summary>Hands a finished chunk's results on (after its errors were handled).</summary>
    protected abstract ValueTask DeliverAsync(ItemChunk<TItem> chunk, ItemsChunkResult<TResult> result, CancellationToken cancellationToken);

    /// <summary>A collected failure (<see cref="ItemErrorMode.Collect"/>); it may be called from several lanes at once.</summary>
    protected abstract void Collect(ItemFailure failure);

    protected override async Task ExecuteAsync(IComputeWorkerGrain worker, ItemChunk<TItem> chunk, Guid jobId, ChunkCall call)
    {
        var result = await ComputeAsync(worker, chunk, jobId, call).ConfigureAwait(false);
        call.Returned();
        _pacer!.Completed(chunk.Length, result.Worker.BusySeconds);
        Stats.Add(result.Worker, (ulong)chunk.Length);
        var done = Interlocked.Add(ref _completed, result.PackedResults.Length - result.Errors.Length);
        HandleErrors(chunk, result.Errors, done);
        await DeliverAsync(chunk, result, call.JobToken).ConfigureAwait(false);
        Progress.Add(chunk.Length);
        chunk.Done(); // delivered: nothing reads its items any more (a delivered chunk never runs again)
    }

    // The chunk's results from one worker, in as many calls as messages need: a request carries no more items than
    // fit one message (items with references are sized by serializing them; an item too large on its own is not sent
    // and fails as an item), and a worker returns no more results than fit one (the silo's ResultBudget), so the rest
    // is asked for on the same worker. The results are handed on only once all have come: a failure on the way reruns
    // the whole chunk and delivers nothing twice.
    private async Task<ItemsChunkResult<TResult>> ComputeAsync(IComputeWorkerGrain worker, ItemChunk<TItem> chunk, Guid jobId, ChunkCall call)
    {
        chunk.Attempting();
        var length = chunk.Length;
        List<ItemError> errors = [];
        TResult[]? results = null;
        var busy = 0.0;
        WorkerStamp? stamp = null;
        var done = 0;
        while (done < length)
        {
            var take = RequestLength(chunk, done, errors);
            if (take == 0)
            {
                done++; // an item too large to send: its error is in errors, its result stays default
                continue;
            }

            var batch = take == length ? chunk.Batch : new PackedArray<TItem>(chunk.Items.Slice(done, take).ToArray());
            var part = await worker.ComputeItemsAsync<TItem, TResult>(jobId, kernel.Id, batch, call.CallToken).ConfigureAwait(false);
            if (take == length && part.PackedResults.Length == take)
            {
                return part; // the usual case: one call, nothing copied
            }

            if (part.PackedResults.Length == 0)
            {
                // A worker always returns at least one result; none would ask again for ever.
                throw new InvalidOperationException($"{DescribeChunk(chunk)}: worker {part.Worker.Silo}/{part.Worker.Slot} returned no result for item {chunk.Start + done} on.");
            }

            results ??= new TResult[length];
            part.PackedResults.Span.CopyTo(results.AsSpan(done));
            errors.AddRange(part.Errors.Select(e => e with { Position = e.Position + done }));
            busy += part.Worker.BusySeconds;
            stamp ??= part.Worker;
            done += part.PackedResults.Length;
            part.PackedResults.Release();
        }

        // No call at all when every item was too large to send: the stamp names the worker the chunk was for.
        if (stamp is null)
        {
            var core = worker.GetPrimaryKeyLong(out var silo);
            stamp = new WorkerStamp(silo!, core, 0);
        }

        return new ItemsChunkResult<TResult>(results ?? new TResult[length], [.. errors.OrderBy(e => e.Position)], stamp with { BusySeconds = busy });
    }

    // How many of the chunk's items from item `from` on go in the next request: all that are left when they fit one
    // message; 0 when item `from` alone does not fit (it gets an error in errors and is not sent).
    private int RequestLength(ItemChunk<TItem> chunk, int from, List<ItemError> errors)
    {
        var left = chunk.Length - from;
        if (_requestFit is null)
        {
            return Math.Min(left, ItemsPerMessage); // raw bytes: the pacer already cut the chunk to ItemsPerMessage
        }

        var tooLarge = -1;
        var take = _requestFit.FitFirst(chunk.Exact, from, MessageLimit - (long)PackedArray<TItem>.MessageReserve, (i, size) =>
        {
            tooLarge = tooLarge < 0 ? i : tooLarge;
            if (i == from)
            {
                errors.Add(new ItemError(i, MessageFit.ItemTooLargeErrorType, string.Create(CultureInfo.InvariantCulture,
                    $"It takes {size} bytes serialized, more than one request can carry: {nameof(MessagingOptions.MaxMessageBodySize)} is {MessageLimit} bytes on this client (less {PackedArray<TItem>.MessageReserve} for the rest of the request); pass smaller items, or raise {nameof(MessagingOptions.MaxMessageBodySize)} on the clients and silos.")));
            }
        });

        // Send what comes before the first item that cannot go; that item is next (and gets its error then).
        return tooLarge < 0 ? take : tooLarge - from;
    }

    /// <summary>Fails the job at the chunk's first failing item, or collects every failure.</summary>
    protected virtual void HandleErrors(ItemChunk<TItem> chunk, ItemError[] errors, long completed)
    {
        if (errors.Length == 0)
        {
            return;
        }

        if (options.Errors == ItemErrorMode.FailFast)
        {
            throw new ItemFailedException(ToFailure(chunk, errors.MinBy(e => e.Position)!), completed);
        }

        foreach (var e in errors)
        {
            Collect(ToFailure(chunk, e));
        }
    }

    protected static ItemFailure ToFailure(ItemChunk<TItem> chunk, ItemError error) =>
        new(chunk.Start + error.Position, chunk[error.Position], error.ErrorType, error.Message);

    // A map chunk as a failure names it: the kernel, the items' indices in the input and the first item's value.
    protected override string DescribeChunk(ItemChunk<TItem> chunk) =>
        $"Chunk {kernel.Id} items {chunk.Start} to {chunk.Start + chunk.Length - 1} (first value {ItemFailure.Show(chunk[0])})";

    // A list map's chunks: the caller's fixed size, or paced up to the Pool.map-like count rule (about 4 per worker).
    protected ItemChunkPacer ListPacer(int count, int workers, int lanes) =>
        new(options.ChunkSize, ChunkPolicy.MaxListChunk(count, workers), options.TargetChunkDuration, lanes, ItemsPerMessage);

    // No chunk holds more items than one request message can carry (the client's MaxMessageBodySize): a request over it
    // cannot be sent, and Orleans closes the connection it was to go on.
    protected int ItemsPerMessage => PackedArray<TItem>.MaxPerMessage(MessageLimit);
}

/// <summary>Pool.map: every item's result, in input order, with the collected failures.</summary>
internal sealed class MapJob<TItem, TResult>(IGrainFactory grains, ILogger logger, ItemKernel<TItem, TResult> kernel, IReadOnlyList<TItem> items, MapOptions options)
    : ItemJob<TItem, TResult>(grains, logger, kernel, "map", options)
{
    private readonly TResult[] _results = new TResult[items.Count];
    private readonly List<ItemFailure> _failures = [];

    protected override long? TotalUnits => items.Count;

    public Task<MapResult<TResult>> RunAsync(CancellationToken cancellationToken) =>
        RunAsync(() =>
        {
            _failures.Sort((a, b) => a.Index.CompareTo(b.Index));
            return new MapResult<TResult>(_results, _failures, Stats.Snapshot(Elapsed));
        }, cancellationToken);

    protected override ItemChunkPacer CreatePacer(int workers, int lanes) => ListPacer(items.Count, workers, lanes);

    protected override IChunkSource<ItemChunk<TItem>> CreateSource(ItemChunkPacer pacer, int lanes) => new ListChunkSource<TItem>(items, pacer);

    protected override ValueTask DeliverAsync(ItemChunk<TItem> chunk, ItemsChunkResult<TResult> result, CancellationToken cancellationToken)
    {
        // Copied into the job's results and dropped: a pooled array read from the wire goes back to the pool.
        result.PackedResults.Span.CopyTo(_results.AsSpan(checked((int)chunk.Start)));
        result.PackedResults.Release();
        return ValueTask.CompletedTask;
    }

    protected override void Collect(ItemFailure failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }

    protected override string Describe() => $"Map {KernelId} over {items.Count} items";
}

/// <summary>imap_unordered: (index, result) for every item as its chunk finishes; collected failures are skipped.</summary>
internal sealed class UnorderedMapJob<TItem, TResult>(IGrainFactory grains, ILogger logger, ItemKernel<TItem, TResult> kernel, IReadOnlyList<TItem> items, MapOptions options, Action<ItemFailure>? onFailure)
    : ItemJob<TItem, TResult>(grains, logger, kernel, "map-unordered", options)
{
    private Channel<(ItemChunk<TItem> Chunk, ItemsChunkResult<TResult> Result)>? _finished;

    protected override long? TotalUnits => items.Count;

    public async IAsyncEnumerable<IndexedResult<TResult>> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await StartStreamAsync(cancellationToken).ConfigureAwait(false);
        WhenRunEnds(error => _finished!.Writer.TryComplete(error));
        var finished = false;
        try
        {
            await foreach (var (chunk, result) in _finished!.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var failed = result.Errors.Length == 0 ? null : result.Errors.Select(e => e.Position).ToHashSet();
                var results = result.PackedResults;
                for (var i = 0; i < results.Length; i++)
                {
                    if (failed is null || !failed.Contains(i))
                    {
                        yield return new IndexedResult<TResult>(chunk.Start + i, results[i]);
                    }
                }

                results.Release(); // every value handed on (a consumer that stops early leaves it to the garbage collector)
            }

            await AwaitRunAsync().ConfigureAwait(false);
            finished = true;
        }
        finally
        {
            await EndStreamAsync(finished).ConfigureAwait(false);
        }
    }

    protected override ItemChunkPacer CreatePacer(int workers, int lanes) => ListPacer(items.Count, workers, lanes);

    protected override IChunkSource<ItemChunk<TItem>> CreateSource(ItemChunkPacer pacer, int lanes)
    {
        // Bounded: a slow consumer holds back the workers instead of buffering every result.
        _finished = Channel.CreateBounded<(ItemChunk<TItem>, ItemsChunkResult<TResult>)>(lanes);
        return new ListChunkSource<TItem>(items, pacer);
    }

    protected override ValueTask DeliverAsync(ItemChunk<TItem> chunk, ItemsChunkResult<TResult> result, CancellationToken cancellationToken) =>
        _finished!.Writer.WriteAsync((chunk, result), cancellationToken);

    protected override void Collect(ItemFailure failure) => onFailure?.Invoke(failure);

    protected override string Describe() => $"Unordered map {KernelId} over {items.Count} items";
}

/// <summary>
/// imap over a lazy stream of unknown length: results in input order, with at most lanes x 2 chunks in memory (running
/// or waiting for an earlier chunk to be consumed). A collected failure yields <c>default</c> in its place.
/// </summary>
internal sealed class StreamMapJob<TItem, TResult>(IGrainFactory grains, ILogger logger, ItemKernel<TItem, TResult> kernel, IAsyncEnumerable<TItem> items, MapOptions options, Action<ItemFailure>? onFailure)
    : ItemJob<TItem, TResult>(grains, logger, kernel, "map-stream", options)
{
    private readonly Dictionary<long, ItemsChunkResult<TResult>> _pending = [];
    private readonly Lock _gate = new();
    private readonly Channel<bool> _ready = Channel.CreateUnbounded<bool>(); // a signal per finished chunk; the window bounds the data itself
    private StreamChunkSource<TItem>? _source;
    private long _nextSequence;

    public async IAsyncEnumerable<TResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await StartStreamAsync(cancellationToken).ConfigureAwait(false);
        WhenRunEnds(error => _ready.Writer.TryComplete(error));
        var finished = false;
        try
        {
            await foreach (var _ in _ready.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                while (true)
                {
                    ItemsChunkResult<TResult>? result;
                    lock (_gate)
                    {
                        if (!_pending.Remove(_nextSequence, out result))
                        {
                            break;
                        }
                    }

                    var results = result.PackedResults;
                    for (var i = 0; i < results.Length; i++)
                    {
                        yield return results[i];
                    }

                    results.Release(); // every value handed on (a consumer that stops early leaves it to the garbage collector)

                    _nextSequence++;
                    _source!.Release(); // the window moves on: one more chunk may be read from the input
                }
            }

            await AwaitRunAsync().ConfigureAwait(false);
            finished = true;
        }
        finally
        {
            try
            {
                await EndStreamAsync(finished).ConfigureAwait(false);
            }
            finally
            {
                if (_source is not null)
                {
                    await _source.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    protected override ItemChunkPacer CreatePacer(int workers, int lanes) =>
        new(MapOptions.ChunkSize, ChunkPolicy.MaxStreamChunk, MapOptions.TargetChunkDuration, perMessage: ItemsPerMessage);

    protected override IChunkSource<ItemChunk<TItem>> CreateSource(ItemChunkPacer pacer, int lanes) =>
        _source = new StreamChunkSource<TItem>(items, pacer, lanes * 2);

    protected override ValueTask DeliverAsync(ItemChunk<TItem> chunk, ItemsChunkResult<TResult> result, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _pending[chunk.Sequence] = result;
        }

        _ready.Writer.TryWrite(true);
        return ValueTask.CompletedTask;
    }

    protected override void Collect(ItemFailure failure) => onFailure?.Invoke(failure);

    protected override string Describe() => $"Stream map {KernelId} after {_nextSequence} chunks";
}

/// <summary>
/// ProcessPoolExecutor.submit: one item on a worker chosen at random; a retry goes to the next worker. A kernel error
/// on the item is the job's <see cref="ItemFailedException"/>.
/// </summary>
internal sealed class SubmitJob<TItem, TResult>(IGrainFactory grains, ILogger logger, ItemKernel<TItem, TResult> kernel, TItem item, MapOptions options)
    : ItemJob<TItem, TResult>(grains, logger, kernel, "submit", options)
{
    private ItemsChunkResult<TResult>? _result;

    public Task<TResult> RunAsync(CancellationToken cancellationToken) =>
        RunAsync(() =>
        {
            if (_result!.Errors.Length > 0)
            {
                var error = _result.Errors[0];
                throw new ItemFailedException(new ItemFailure(0, item, error.ErrorType, error.Message), 0);
            }

            return _result.PackedResults[0];
        }, cancellationToken);

    // One chunk: the first lane takes it, on the worker the job starts at (at random, OrderWorkers); a retry the next worker.
    protected override ItemChunkPacer CreatePacer(int workers, int lanes) => new(1, 1, TimeSpan.Zero);

    protected override IChunkSource<ItemChunk<TItem>> CreateSource(ItemChunkPacer pacer, int lanes) => new ListChunkSource<TItem>([item], pacer);

    // The item's error is the job's, raised once the call is back (not as a failing chunk, which would cancel the job on its silo).
    protected override void HandleErrors(ItemChunk<TItem> chunk, ItemError[] errors, long completed)
    {
    }

    protected override ValueTask DeliverAsync(ItemChunk<TItem> chunk, ItemsChunkResult<TResult> result, CancellationToken cancellationToken)
    {
        _result = result;
        return ValueTask.CompletedTask;
    }

    protected override void Collect(ItemFailure failure)
    {
    }

    protected override string DescribeChunk(ItemChunk<TItem> chunk) => $"Item {ItemFailure.Show(item)} of {KernelId}";

    protected override string Describe() => $"Submit {KernelId} on item {ItemFailure.Show(item)}";
}
