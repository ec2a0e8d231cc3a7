using System.Diagnostics;
using GrainPool.Abstractions;

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
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        using var chunk = activity.StartChunk(kernel);
        var total = compute.Zero;
        var slice = Math.Max(1, compute.MinChunkSize / 4);
        var next = first;
        while (true)
        {
            chunk.ThrowIfCancelled(cancellationToken);
            var sliceLast = last - next < slice ? last : next + slice - 1;
            var started = Stopwatch.GetTimestamp();
            total = compute.Combine(total, compute.Compute(next, sliceLast));
            slice = NextSliceSize(slice, Stopwatch.GetElapsedTime(started), activity.SliceTarget);
            chunk.AddBusy(Stopwatch.GetElapsedTime(started));
            if (sliceLast == last)
            {
                break;
            }

            next = sliceLast + 1;
            await Task.Yield();
        }

        return new RangeChunkResult<TPartial>(total, chunk.Complete(silo.SiloAddress.ToString(), Core));
    }

    /// <inheritdoc />
    public async Task<ItemsChunkResult<TResult>> ComputeItemsAsync<TItem, TResult>(string kernel, PackedArray<TItem> batch, CancellationToken cancellationToken = default)
    {
        var compute = kernels.GetItem<TItem, TResult>(kernel);
        ArgumentNullException.ThrowIfNull(batch);
        var items = batch.Items;
        using var chunk = activity.StartChunk(kernel);
        var results = new TResult[items.Length];
        List<ItemError>? errors = null;
        var sliceStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                results[i] = compute.Compute(items[i]);
            }
            catch (Exception ex) when (ex is ArgumentException or ArithmeticException or InvalidOperationException)
            {
                (errors ??= []).Add(new ItemError(i, ex.GetType().Name, ex.Message));
            }

            // Check the clock every few items only: per-item kernels can be nanoseconds long.
            if ((i & 63) == 63 || i == items.Length - 1)
            {
                var elapsed = Stopwatch.GetElapsedTime(sliceStarted);
                if (elapsed >= activity.SliceTarget || i == items.Length - 1)
                {
                    chunk.AddBusy(elapsed);
                    if (i == items.Length - 1)
                    {
                        break;
                    }

                    chunk.ThrowIfCancelled(cancellationToken);
                    await Task.Yield();
                    sliceStarted = Stopwatch.GetTimestamp();
                }
            }
        }

        return new ItemsChunkResult<TResult>(results, errors?.ToArray() ?? [], chunk.Complete(silo.SiloAddress.ToString(), Core));
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
