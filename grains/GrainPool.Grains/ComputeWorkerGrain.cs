using System.Buffers;
using System.Runtime.CompilerServices;
using System.Diagnostics;
using GrainPool.Abstractions;
using GrainPool.Kernels.Running;
using Microsoft.Extensions.Logging;

namespace GrainPool.Grains;

/// <summary>
/// One compute worker per core slot. A call computes its chunk on the slot's own thread (<see cref="WorkerThreads"/>)
/// while the worker's Orleans turn awaits it, so no Orleans or thread-pool thread is ever held by a kernel. The chunk
/// runs in slices of about <see cref="WorkerActivity.SliceTarget"/>; between slices it checks the call's cancellation
/// token, its job's cancellation (<see cref="JobCancellations"/>) and the silo's stopping, so any of them stops it within
/// a slice. A chunk
/// of a job already cancelled on this silo is refused before it starts. Not reentrant: a worker runs one chunk at a
/// time, which is what "one activation per core" means.
/// </summary>
[CoreSlotPlacement]
public sealed partial class ComputeWorkerGrain(
    KernelRegistry kernels,
    WorkerActivity activity,
    JobCancellations cancelledJobs,
    WorkerThreads threads,
    ResultBudget resultBudget,
    ILocalSiloDetails silo,
    ILogger<ComputeWorkerGrain> logger) : Grain, IComputeWorkerGrain
{
    private long Core => this.GetPrimaryKeyLong(out _);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The placement director checks the silo part of the key; the core must be one of this silo's slots.
        if (Core < 0 || Core >= activity.AdvertisedCores)
        {
            throw new ArgumentOutOfRangeException(nameof(cancellationToken), Core, $"Worker core slot {Core} does not exist: this silo offers slots 0 to {activity.AdvertisedCores - 1}.");
        }

        activity.Activated(Core);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        activity.Deactivated(Core);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<RangeChunkResult<TPartial>> ComputeRangeAsync<TPartial>(Guid job, string kernel, ulong first, ulong last, CancellationToken cancellationToken = default)
    {
        var compute = kernels.GetRange<TPartial>(kernel);
        using var chunk = activity.StartChunk(kernel, new ChunkCancellation(cancellationToken, cancelledJobs, job, threads.Stopping));
        try
        {
            // A partial too large for the response goes back as the reason only (counted as a chunk failed with
            // ResultTooLargeException); the client computes the chunk again in parts.
            var (total, tooLarge) = await threads.RunAsync(
                Core,
                () =>
                {
                    var partial = ComputeRange(compute, chunk, first, last, activity.SliceTarget);
                    return (partial, resultBudget.PartialTooLarge(partial));
                },
                chunk.StopRequested);
            if (tooLarge is not null)
            {
                return new RangeChunkResult<TPartial>(default!, chunk.NotReturned(silo.SiloAddress.ToString(), Core, MessageFit.ResultTooLargeErrorType), tooLarge);
            }

            var numbers = last - first == ulong.MaxValue ? long.MaxValue : (long)Math.Min(last - first + 1, long.MaxValue);
            return new RangeChunkResult<TPartial>(total, chunk.Complete(silo.SiloAddress.ToString(), Core, numbers));
        }
        catch (Exception ex)
        {
            Ended(chunk, job, kernel, ex);
            if (ex is SlotAbandonedException)
            {
                chunk.ThrowIfCancelled(); // a stop, as any other: cancelled, or handed back when the silo is stopping
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async Task<ItemsChunkResult<TResult>> ComputeItemsAsync<TItem, TResult>(Guid job, string kernel, PackedArray<TItem> batch, CancellationToken cancellationToken = default)
    {
        var compute = kernels.GetItem<TItem, TResult>(kernel);
        ArgumentNullException.ThrowIfNull(batch);
        using var chunk = activity.StartChunk(kernel, new ChunkCancellation(cancellationToken, cancelledJobs, job, threads.Stopping));
        try
        {
            // Only the results that fit one response go back (ResultBudget); the client asks again for the rest.
            var (results, errors) = await threads.RunAsync(
                Core,
                () =>
                {
                    var (all, failed) = ComputeItems(compute, chunk, batch, activity.SliceTarget);
                    return resultBudget.Fit(all, failed, chunk.ItemFailed);
                },
                chunk.StopRequested);
            return new ItemsChunkResult<TResult>(results, errors, chunk.Complete(silo.SiloAddress.ToString(), Core, results.Length));
        }
        catch (Exception ex)
        {
            Ended(chunk, job, kernel, ex);
            if (ex is SlotAbandonedException)
            {
                chunk.ThrowIfCancelled(); // a stop, as any other: cancelled, or handed back when the silo is stopping
            }

            throw;
        }
    }

    // How a chunk ended without a result: cancelled (its call or its job), handed back (the silo is stopping), or failed
    // (the kernel threw, or the chunk's arguments were bad), which is counted and logged with the exception.
    private void Ended(WorkerActivity.ChunkScope chunk, Guid job, string kernel, Exception error)
    {
        switch (error)
        {
            case SlotAbandonedException:
                LogKernelStuck(logger, job, kernel, Core, WorkerThreads.StuckGrace.TotalSeconds);
                break;
            case OperationCanceledException:
                LogChunkCancelled(logger, job, kernel, Core);
                break;
            case SiloUnavailableException:
                LogChunkHandedBack(logger, job, kernel, Core);
                break;
            default:
                chunk.Failed(error);
                LogChunkFailed(logger, error, job, kernel, Core, error.GetType().Name);
                break;
        }
    }

    // Runs on the slot's thread.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TPartial ComputeRange<TPartial>(IRangeKernel<TPartial> compute, WorkerActivity.ChunkScope chunk, ulong first, ulong last, TimeSpan sliceTarget)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        var total = compute.Zero;
        // Start small (a slice is also how long a cancellation can wait), then grow to the target.
        var slice = Math.Max(1, compute.MinChunkSize / 16);
        var next = first;
        while (true)
        {
            chunk.ThrowIfCancelled();
            var sliceLast = last - next < slice ? last : next + slice - 1;
            var started = Stopwatch.GetTimestamp();
            var cpuStarted = ThreadCpuTime.Now();
            total = compute.Combine(total, compute.Compute(next, sliceLast));
            slice = NextSliceSize(slice, Stopwatch.GetElapsedTime(started), sliceTarget);
            chunk.AddBusy(Stopwatch.GetElapsedTime(started), ThreadCpuTime.Now() - cpuStarted);
            if (sliceLast == last)
            {
                return total;
            }

            next = sliceLast + 1;
        }
    }

    // Runs on the slot's thread. The batch is released here, when the loop that reads it has ended (not by the grain's
    // turn: a stuck kernel's turn gives up while the loop may still read it); a batch read from the wire goes back to the
    // pool then, one the caller passed inside this process is left as it is. The results go into a pooled array when
    // they travel as raw bytes (the codec returns it once the response is written); otherwise into a new one.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (PackedArray<TResult> Results, ItemError[] Errors) ComputeItems<TItem, TResult>(IItemKernel<TItem, TResult> compute, WorkerActivity.ChunkScope chunk, PackedArray<TItem> batch, TimeSpan sliceTarget)
    {
        var length = batch.Length;
        var pooled = PackedArray<TResult>.IsPackable && length > 0;
        var results = pooled ? ArrayPool<TResult>.Shared.Rent(length) : new TResult[length];
        try
        {
            var errors = ComputeItems(compute, chunk, batch.Span, results, sliceTarget);
            return (pooled ? PackedArray<TResult>.FromPool(results, length) : new PackedArray<TResult>(results), errors);
        }
        catch when (pooled)
        {
            ArrayPool<TResult>.Shared.Return(results);
            throw;
        }
        finally
        {
            batch.Release();
        }
    }

    // Fills results[0 .. items.Length - 1]; a failed item's place holds default.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ItemError[] ComputeItems<TItem, TResult>(IItemKernel<TItem, TResult> compute, WorkerActivity.ChunkScope chunk, ReadOnlySpan<TItem> items, TResult[] results, TimeSpan sliceTarget)
    {
        List<ItemError>? errors = null;
        var sliceStarted = Stopwatch.GetTimestamp();
        var cpuStarted = ThreadCpuTime.Now();

        // How many items between looks at the clock: per-item kernels can be nanoseconds long (look every 64)
        // or seconds long (look after every item, or cancellation would wait for 64 of them). Starts at 1 and doubles
        // while a stride takes under 1/64 of the slice, halves when it takes over 1/8.
        var stride = 1;
        var strideStarted = sliceStarted;
        var sinceCheck = 0;
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                results[i] = compute.Compute(items[i]);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Any exception a kernel throws for an item is that item's failure, reported with its index (the
                // client adds the value): a user kernel's NullReferenceException or FormatException, and its own
                // OperationCanceledException too (a kernel never sees the chunk's token; the job's cancellation is
                // checked between items, outside this try).
                results[i] = default!; // a pooled array holds an earlier chunk's values
                (errors ??= []).Add(new ItemError(i, ex.GetType().Name, MessageOf(ex)));
                chunk.ItemFailed(ex.GetType().Name);
            }

            if (++sinceCheck < stride && i != items.Length - 1)
            {
                continue;
            }

            sinceCheck = 0;
            var now = Stopwatch.GetTimestamp();
            var strideTook = Stopwatch.GetElapsedTime(strideStarted, now);
            strideStarted = now;
            stride = NextStride(stride, strideTook, sliceTarget);
            var elapsed = Stopwatch.GetElapsedTime(sliceStarted, now);
            if (elapsed >= sliceTarget || i == items.Length - 1)
            {
                chunk.AddBusy(elapsed, ThreadCpuTime.Now() - cpuStarted);
                if (i == items.Length - 1)
                {
                    break;
                }

                chunk.ThrowIfCancelled();
                sliceStarted = Stopwatch.GetTimestamp();
                cpuStarted = ThreadCpuTime.Now();
            }
        }

        return errors?.ToArray() ?? [];
    }

    // Items between clock checks in an item loop: double while a stride is far under the slice target (cheap items),
    // halve when it is a large part of it (slow items), between 1 and 64 (a clock read is about 20 ns; the cap bounds
    // how many slow items can follow a run of cheap ones before the next check).
    internal static int NextStride(int stride, TimeSpan took, TimeSpan sliceTarget)
    {
        if (took < sliceTarget / 64)
        {
            return Math.Min(stride * 2, 64);
        }

        return took > sliceTarget / 8 ? Math.Max(1, stride / 2) : stride;
    }

    // A user exception's Message is user code too: one that throws must not fail the whole chunk.
    private static string MessageOf(Exception ex)
    {
        try
        {
            return ex.Message;
        }
#pragma warning disable CA1031 // any failure of a user's Message getter is replaced by a note naming the type
        catch (Exception)
#pragma warning restore CA1031
        {
            return $"({ex.GetType().Name}; its message could not be read)";
        }
    }

    // Aim each slice at the target: double when far under it, scale down at once when well over it (ranges get
    // costlier as n grows, and a busy machine stretches a slice's wall time).
    internal static ulong NextSliceSize(ulong slice, TimeSpan took, TimeSpan target)
    {
        if (took < target / 4)
        {
            return slice > ulong.MaxValue / 2 ? slice : slice * 2;
        }

        if (took > target * 2)
        {
            return Math.Max(1, (ulong)(slice * (target / took)));
        }

        return slice;
    }
}
