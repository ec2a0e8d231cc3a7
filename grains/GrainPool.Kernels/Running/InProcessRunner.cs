using System.Diagnostics;
using System.Runtime.CompilerServices;

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
/// from a shared cursor, so a worker that finishes early takes the next chunk, and are sized by the same
/// <see cref="ChunkPolicy"/> as the cluster's: a fixed size when the caller gives one, else paced by the kernel time
/// each finished chunk measured (costs grow with n for primality). Nothing is allocated per item.
/// </summary>
public sealed class InProcessRunner
{
    /// <summary>Creates a runner over <paramref name="workers"/> threads (default: every core of this process).</summary>
    public InProcessRunner(int? workers = null)
    {
        var count = workers ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(workers));
        Workers = count;
    }

    /// <summary>Number of worker threads.</summary>
    public int Workers { get; }

    /// <summary>Kernel time aimed for per chunk when no chunk size is given (default <see cref="ChunkPolicy.DefaultTargetDuration"/>).</summary>
    public TimeSpan TargetChunkDuration { get; init; } = ChunkPolicy.DefaultTargetDuration;

    /// <summary>
    /// Runs <paramref name="kernel"/> over [first, last] and returns the combined result. A null
    /// <paramref name="chunkSize"/> paces chunks by measured kernel time; <paramref name="chunkSizes"/>, when given,
    /// records the size of every chunk run.
    /// </summary>
    public TPartial RunRange<TPartial>(
        IRangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong? chunkSize = null,
        IProgress<RunProgress>? progress = null,
        CancellationToken cancellationToken = default,
        ChunkSizeLog? chunkSizes = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        ChunkPolicy.ThrowIfInvalid(chunkSize, nameof(chunkSize));
        var width = (UInt128)last - first + 1;
        if (chunkSize is { } size && ChunkPolicy.ChunkCount(width, size) > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, $"Chunk size {size} splits [{first}, {last}] into {ChunkPolicy.ChunkCount(width, size)} chunks, more than {long.MaxValue}.");
        }

        var chunker = new RangeChunker(first, last, chunkSize, kernel.MinChunkSize, Workers, TargetChunkDuration);
        var total = kernel.Zero;
        var gate = new Lock();
        UInt128 done = 0;

        RunWorkers(Workers, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] () =>
        {
            var local = kernel.Zero;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!chunker.TryNext(out var chunkFirst, out var chunkLast))
                {
                    break;
                }

                var started = Stopwatch.GetTimestamp();
                local = kernel.Combine(local, kernel.Compute(chunkFirst, chunkLast));
                chunker.Completed(chunkFirst, chunkLast, Stopwatch.GetElapsedTime(started).TotalSeconds);
                chunkSizes?.Add(chunkLast - chunkFirst + 1);
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
    /// <paramref name="chunkSize"/>, or when it is null, paced by measured kernel time up to Pool.map's count rule
    /// (<see cref="ChunkPolicy"/>). A failing item raises <see cref="ItemFailedException"/> naming its index and value.
    /// </summary>
    public void RunMap<TItem, TResult>(
        IItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int? chunkSize = null,
        IProgress<RunProgress>? progress = null,
        CancellationToken cancellationToken = default,
        ChunkSizeLog? chunkSizes = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (results.Length != items.Length)
        {
            throw new ArgumentException($"results has {results.Length} slots for {items.Length} items.", nameof(results));
        }

        ChunkPolicy.ThrowIfInvalid(chunkSize, nameof(chunkSize));
        var count = items.Length;
        if (count == 0)
        {
            return;
        }

        var pacer = new ItemChunkPacer(chunkSize, ChunkPolicy.MaxListChunk(count, Workers), TargetChunkDuration, Workers);
        var gate = new Lock();
        var next = 0;
        long done = 0;

        RunWorkers(Workers, cancellationToken, [MethodImpl(MethodImplOptions.AggressiveOptimization)] () =>
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start;
                int end;
                lock (gate)
                {
                    if (next >= count)
                    {
                        break;
                    }

                    start = next;
                    end = start + pacer.NextSize(count - start);
                    next = end;
                }

                var started = Stopwatch.GetTimestamp();
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

                pacer.Completed(end - start, Stopwatch.GetElapsedTime(started).TotalSeconds);
                chunkSizes?.Add((ulong)(end - start));
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
