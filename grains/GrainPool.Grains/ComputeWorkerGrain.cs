using System.Diagnostics;
using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace GrainPool.Grains;

/// <summary>
/// One compute worker per core slot. A call runs its chunk in slices of about <see cref="WorkerActivity.SliceTarget"/>,
/// yielding between slices so that no turn comes near Orleans' long-turn warning, and checking the call's
/// cancellation token there (a synchronous loop would never see it). Not reentrant: a worker runs one chunk at a
/// time, which is what "one activation per core" means.
/// </summary>
[CoreSlotPlacement]
public sealed class ComputeWorkerGrain(KernelRegistry kernels, WorkerActivity activity, ILocalSiloDetails silo) : Grain, IComputeWorkerGrain
{
    private long Core => this.GetPrimaryKeyLong(out _);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
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
    public async Task<RangeChunkResult<TPartial>> ComputeRangeAsync<TPartial>(string kernel, ulong first, ulong last, CancellationToken cancellationToken = default)
    {
        var compute = kernels.GetRange<TPartial>(kernel);
        using var chunk = activity.StartChunk(kernel);
        try
        {
            return await ComputeRangeAsync(compute, chunk, first, last, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            chunk.Failed(ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<ItemsChunkResult<TResult>> ComputeItemsAsync<TItem, TResult>(string kernel, PackedArray<TItem> batch, CancellationToken cancellationToken = default)
    {
        var compute = kernels.GetItem<TItem, TResult>(kernel);
        ArgumentNullException.ThrowIfNull(batch);
        using var chunk = activity.StartChunk(kernel);
        try
        {
            return await ComputeItemsAsync(compute, chunk, batch.Items, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            chunk.Failed(ex);
            throw;
        }
    }

    private async Task<RangeChunkResult<TPartial>> ComputeRangeAsync<TPartial>(IRangeKernel<TPartial> compute, WorkerActivity.ChunkScope chunk, ulong first, ulong last, CancellationToken cancellationToken)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        var total = compute.Zero;
        var slice = Math.Max(1, compute.MinChunkSize / 4);
        var next = first;
        while (true)
        {
            chunk.ThrowIfCancelled(cancellationToken);
            var sliceLast = last - next < slice ? last : next + slice - 1;
            var started = Stopwatch.GetTimestamp();
            var cpuStarted = ThreadCpuTime.Now();
            total = compute.Combine(total, compute.Compute(next, sliceLast));
            slice = NextSliceSize(slice, Stopwatch.GetElapsedTime(started), activity.SliceTarget);
            chunk.AddBusy(Stopwatch.GetElapsedTime(started), ThreadCpuTime.Now() - cpuStarted);
            if (sliceLast == last)
            {
                break;
            }

            next = sliceLast + 1;
            await Task.Yield();
        }

        var numbers = last - first == ulong.MaxValue ? long.MaxValue : (long)Math.Min(last - first + 1, long.MaxValue);
        return new RangeChunkResult<TPartial>(total, chunk.Complete(silo.SiloAddress.ToString(), Core, numbers));
    }

    private async Task<ItemsChunkResult<TResult>> ComputeItemsAsync<TItem, TResult>(IItemKernel<TItem, TResult> compute, WorkerActivity.ChunkScope chunk, TItem[] items, CancellationToken cancellationToken)
    {
        var results = new TResult[items.Length];
        List<ItemError>? errors = null;
        var sliceStarted = Stopwatch.GetTimestamp();
        var cpuStarted = ThreadCpuTime.Now();
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                results[i] = compute.Compute(items[i]);
            }
            catch (Exception ex) when (ex is ArgumentException or ArithmeticException or InvalidOperationException)
            {
                (errors ??= []).Add(new ItemError(i, ex.GetType().Name, ex.Message));
                chunk.ItemFailed(ex.GetType().Name);
            }

            // Check the clock every few items only: per-item kernels can be nanoseconds long.
            if ((i & 63) == 63 || i == items.Length - 1)
            {
                var elapsed = Stopwatch.GetElapsedTime(sliceStarted);
                if (elapsed >= activity.SliceTarget || i == items.Length - 1)
                {
                    chunk.AddBusy(elapsed, ThreadCpuTime.Now() - cpuStarted);
                    if (i == items.Length - 1)
                    {
                        break;
                    }

                    chunk.ThrowIfCancelled(cancellationToken);
                    await Task.Yield();
                    sliceStarted = Stopwatch.GetTimestamp();
                    cpuStarted = ThreadCpuTime.Now();
                }
            }
        }

        return new ItemsChunkResult<TResult>(results, errors?.ToArray() ?? [], chunk.Complete(silo.SiloAddress.ToString(), Core, items.Length));
    }

    // Aim each slice at the target: grow when far under it, shrink when over (ranges get costlier as n grows).
    private static ulong NextSliceSize(ulong slice, TimeSpan took, TimeSpan target)
    {
        if (took < target / 4)
        {
            return slice > ulong.MaxValue / 2 ? slice : slice * 2;
        }

        return took > target * 2 ? Math.Max(1, slice / 2) : slice;
    }
}
