namespace GrainPool.Abstractions;

/// <summary>
/// A stateless compute worker. Integer keys are worker slots 0 .. (cluster cores - 1); the core-slot placement puts
/// each slot on a silo so that every silo hosts as many workers as it advertises cores. Each call carries a whole
/// chunk and returns its result; the worker keeps nothing between calls.
/// </summary>
[Alias("GrainPool.IComputeWorkerGrain")]
public interface IComputeWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Runs the range kernel <paramref name="kernel"/> over [first, last] and returns its combined partial result.</summary>
    [Alias("ComputeRange")]
    Task<RangeChunkResult<TPartial>> ComputeRangeAsync<TPartial>(string kernel, ulong first, ulong last, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the item kernel <paramref name="kernel"/> to each item. A failing item does not stop the others: its
    /// error is returned in <see cref="ItemsChunkResult{TResult}.Errors"/> with its position in the batch.
    /// </summary>
    [Alias("ComputeItems")]
    Task<ItemsChunkResult<TResult>> ComputeItemsAsync<TItem, TResult>(string kernel, TItem[] items, CancellationToken cancellationToken = default);
}

/// <summary>Which worker ran a chunk: its silo and slot, and how long the kernel ran there.</summary>
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
public sealed record ItemsChunkResult<TResult>(TResult[] Results, ItemError[] Errors, WorkerStamp Worker);
