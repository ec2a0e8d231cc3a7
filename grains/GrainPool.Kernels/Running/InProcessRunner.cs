namespace GrainPool.Kernels.Running;

/// <summary>Progress of a running job: units (numbers of a range, or items) done out of the total.</summary>
public readonly record struct RunProgress(UInt128 Done, UInt128 Total);

/// <summary>A kernel failed on one item of a map: names the item's index and value.</summary>
public sealed class ItemFailedException(long index, object? item, Exception inner)
    : Exception($"Item {index} (value {item}) failed: {inner.Message}", inner)
{
    /// <summary>Index of the failing item in the input.</summary>
    public long Index { get; } = index;

    /// <summary>The failing item's value.</summary>
    public object? Item { get; } = item;
}

/// <summary>
/// The in-process baseline: runs a job's chunks on <see cref="Workers"/> threads of this process. Chunks are pulled
/// from a shared counter, so a worker that finishes early takes the next chunk (costs grow with n for primality, and
/// static splitting would leave cores idle). Nothing is allocated per item.
/// </summary>
public sealed class InProcessRunner
{
    /// <summary>Chunks per worker aimed for when the caller gives no chunk size: enough to balance uneven chunk costs.</summary>
    public const int ChunksPerWorker = 16;

    /// <summary>Creates a runner over <paramref name="workers"/> threads (default: every core of this process).</summary>
    public InProcessRunner(int? workers = null)
    {
        var count = workers ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(workers));
        Workers = count;
    }

    /// <summary>Number of worker threads.</summary>
    public int Workers { get; }

    /// <summary>Chunk size for a range job when none is given: about <see cref="ChunksPerWorker"/> chunks per worker.</summary>
    public ulong ChooseChunkSize(UInt128 width, ulong minChunkSize)
    {
        var target = width / (UInt128)(Workers * ChunksPerWorker);
        var size = target > ulong.MaxValue ? ulong.MaxValue : (ulong)target;
        return Math.Max(Math.Max(size, minChunkSize), 1);
    }

    /// <summary>Runs <paramref name="kernel"/> over [first, last] and returns the combined result.</summary>
    public TPartial RunRange<TPartial>(
        IRangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong chunkSize = 0,
        IProgress<RunProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        var width = (UInt128)last - first + 1;
        var size = chunkSize == 0 ? ChooseChunkSize(width, kernel.MinChunkSize) : chunkSize;
        var chunks = (width + size - 1) / size;
        if (chunks > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, $"Chunk size {size} splits [{first}, {last}] into {chunks} chunks, more than {long.MaxValue}.");
        }

        var chunkCount = (long)chunks;
        var total = kernel.Zero;
        var gate = new Lock();
        long nextChunk = -1;
        UInt128 done = 0;

        RunWorkers(Math.Min(Workers, chunkCount), cancellationToken, () =>
        {
            var local = kernel.Zero;
            long chunk;
            while ((chunk = Interlocked.Increment(ref nextChunk)) < chunkCount)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunkFirst = first + (ulong)chunk * size;
                var chunkLast = chunk == chunkCount - 1 ? last : chunkFirst + size - 1;
                local = kernel.Combine(local, kernel.Compute(chunkFirst, chunkLast));
                if (progress is not null)
                {
                    UInt128 nowDone;
                    lock (gate)
                    {
                        done += (UInt128)(chunkLast - chunkFirst) + 1;
                        nowDone = done;
                    }

                    progress.Report(new RunProgress(nowDone, width));
                }
            }

            lock (gate)
            {
                total = kernel.Combine(total, local);
            }
        });

        return total;
    }

    /// <summary>
    /// Pool.map: applies <paramref name="kernel"/> to every item and writes result i for item i. Items go in chunks of
    /// <paramref name="chunkSize"/> (default: like Pool.map, about 4 chunks per worker, finer for balance).
    /// A failing item raises <see cref="ItemFailedException"/> naming its index and value.
    /// </summary>
    public void RunMap<TItem, TResult>(
        IItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int chunkSize = 0,
        IProgress<RunProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (results.Length != items.Length)
        {
            throw new ArgumentException($"results has {results.Length} slots for {items.Length} items.", nameof(results));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(chunkSize);
        var count = items.Length;
        if (count == 0)
        {
            return;
        }

        var size = chunkSize != 0 ? chunkSize : Math.Max(1, (int)Math.Ceiling(count / (double)(Workers * ChunksPerWorker)));
        var chunkCount = (count + (long)size - 1) / size;
        long nextChunk = -1;
        long done = 0;

        RunWorkers(Math.Min(Workers, chunkCount), cancellationToken, () =>
        {
            long chunk;
            while ((chunk = Interlocked.Increment(ref nextChunk)) < chunkCount)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = (int)(chunk * size);
                var end = Math.Min(count, start + size);
                var input = items.Span;
                var output = results.Span;
                for (var i = start; i < end; i++)
                {
                    try
                    {
                        output[i] = kernel.Compute(input[i]);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        throw new ItemFailedException(i, input[i], ex);
                    }
                }

                var nowDone = Interlocked.Add(ref done, end - start);
                progress?.Report(new RunProgress((UInt128)nowDone, (UInt128)count));
            }
        });
    }

    private static void RunWorkers(long workers, CancellationToken cancellationToken, Action body)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = (int)Math.Max(1, workers), CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, (int)Math.Max(1, workers), options, _ => body());
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
        {
            // Surface the first real failure, not the wrapper: callers expect the kernel's own exception type.
            var first = ex.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? ex.InnerExceptions[0];
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
