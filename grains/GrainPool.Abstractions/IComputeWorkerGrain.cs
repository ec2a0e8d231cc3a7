namespace GrainPool.Abstractions;

/// <summary>
/// A stateless compute worker. Its key is a core slot: an integer 0 .. (cores - 1) local to one silo, with that silo's
/// address as key extension (see <see cref="WorkerKey"/>); the core-slot placement puts each worker on the silo it
/// names, so every silo hosts exactly as many workers as it advertises cores, and silos joining or leaving never move
/// another silo's workers. Each call carries a whole chunk and returns its result; the worker keeps nothing between calls.
/// </summary>
[Alias("GrainPool.IComputeWorkerGrain")]
public interface IComputeWorkerGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Runs the range kernel <paramref name="kernel"/> over [first, last] and returns its combined partial result.</summary>
    [Alias("ComputeRange")]
    Task<RangeChunkResult<TPartial>> ComputeRangeAsync<TPartial>(string kernel, ulong first, ulong last, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the item kernel <paramref name="kernel"/> to each item. A failing item does not stop the others: its
    /// error is returned in <see cref="ItemsChunkResult{TResult}.Errors"/> with its position in the batch.
    /// </summary>
    [Alias("ComputeItems")]
    Task<ItemsChunkResult<TResult>> ComputeItemsAsync<TItem, TResult>(string kernel, PackedArray<TItem> items, CancellationToken cancellationToken = default);
}

/// <summary>One worker slot: core <see cref="Core"/> of the silo at <see cref="Silo"/> (its parsable address).</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.WorkerKey")]
public sealed record WorkerKey(int Core, string Silo);

/// <summary>Which worker ran a chunk: its silo, its core slot on that silo, and how long the kernel ran there.</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.WorkerStamp")]
public sealed record WorkerStamp(string Silo, long Slot, double BusySeconds);

/// <summary>The partial result of one range chunk.</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.RangeChunkResult`1")]
public sealed record RangeChunkResult<TPartial>(TPartial Partial, WorkerStamp Worker);

/// <summary>One item's failure inside a batch: its position in the batch and the kernel's message.</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.ItemError")]
public sealed record ItemError(int Position, string ErrorType, string Message);

/// <summary>Results of a batch of items, in batch order; failed positions hold default values and appear in <see cref="Errors"/>.</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.ItemsChunkResult`1")]
public sealed record ItemsChunkResult<TResult>(PackedArray<TResult> PackedResults, ItemError[] Errors, WorkerStamp Worker)
{
    /// <summary>The results in batch order.</summary>
    public TResult[] Results => PackedResults.Items;
}
