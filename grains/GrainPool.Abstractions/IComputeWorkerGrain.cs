using Orleans.Concurrency;

namespace GrainPool.Abstractions;

/// <summary>
/// A stateless compute worker. Its key is a core slot: an integer 0 .. (cores - 1) local to one silo, with that silo's
/// address as key extension (see <see cref="WorkerKey"/>); the core-slot placement puts each worker on the silo it
/// names, so every silo hosts exactly as many workers as it advertises cores, and silos joining or leaving never move
/// another silo's workers. Each call carries a whole chunk and returns its result; the worker keeps nothing between calls.
/// A call names the job its chunk belongs to: <see cref="IJobControlGrain.CancelJobAsync"/> stops every chunk of that job
/// on the silo, running or not yet started, as well as the call's own cancellation token.
/// </summary>
[Alias("GrainPool.IComputeWorkerGrain")]
public interface IComputeWorkerGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Runs the range kernel <paramref name="kernel"/> over [first, last] and returns its combined partial result.</summary>
    /// <param name="job">The job the chunk belongs to (any new id for a lone call); a cancelled job's chunks stop.</param>
    /// <param name="kernel">The range kernel's id.</param>
    /// <param name="first">The first number of the chunk.</param>
    /// <param name="last">The last number of the chunk (inclusive).</param>
    /// <param name="cancellationToken">Stops the chunk at its next slice.</param>
    [Alias("ComputeRange")]
    Task<RangeChunkResult<TPartial>> ComputeRangeAsync<TPartial>(Guid job, string kernel, ulong first, ulong last, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the item kernel <paramref name="kernel"/> to each item. A failing item does not stop the others: its
    /// error is returned in <see cref="ItemsChunkResult{TResult}.Errors"/> with its position in the batch.
    /// </summary>
    /// <param name="job">The job the chunk belongs to (any new id for a lone call); a cancelled job's chunks stop.</param>
    /// <param name="kernel">The item kernel's id.</param>
    /// <param name="items">The batch.</param>
    /// <param name="cancellationToken">Stops the chunk at its next slice.</param>
    [Alias("ComputeItems")]
    Task<ItemsChunkResult<TResult>> ComputeItemsAsync<TItem, TResult>(Guid job, string kernel, PackedArray<TItem> items, CancellationToken cancellationToken = default);
}

/// <summary>
/// Cancels jobs on one silo: keyed like a worker (key 0, the silo's parsable address as key extension) and placed on
/// that silo. Clients without a route to the silo's gateway also ping it under keys 0-7 at once (SiloWatch), each key
/// its own activation on that silo with its own grain-directory entry, so one directory partition held by a silo that
/// has just died cannot fail them all. It is reentrant and never computes, so a cancellation takes effect as soon as it arrives, even while every
/// worker of the silo is inside a slice; each worker sees it at its next slice boundary, and a chunk of the job that
/// starts later on that silo is refused at once. Orleans' own cancellation of a call needs the call's message to have
/// reached the worker's queue (if not, it retries a second later), and only reaches that one call.
/// </summary>
[Alias("GrainPool.IJobControlGrain")]
public interface IJobControlGrain : IGrainWithIntegerCompoundKey
{
    /// <summary>Stops every chunk of <paramref name="job"/> on this silo; remembered for a while, so later chunks are refused too.</summary>
    [Alias("CancelJob"), OneWay]
    Task CancelJobAsync(Guid job);

    /// <summary>
    /// Answers at once while the silo runs: a client whose calls on this silo have not come back for a while asks it,
    /// and takes a call that fails to arrive for a sign that the silo is gone.
    /// </summary>
    [Alias("Ping")]
    Task PingAsync(CancellationToken cancellationToken = default);
}

/// <summary>One worker slot: core <see cref="Core"/> of the silo at <see cref="Silo"/> (its parsable address).</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.WorkerKey")]
public sealed record WorkerKey(int Core, string Silo);

/// <summary>Which worker ran a chunk: its silo, its core slot on that silo, and how long the kernel ran there.</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.WorkerStamp")]
public sealed record WorkerStamp(string Silo, long Slot, double BusySeconds);

/// <summary>
/// The partial result of one range chunk; or, when <see cref="TooLarge"/> is set, none: the partial was too large for
/// one response message (the text says how large, and the limit), and the caller computes the chunk again in parts.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainPool.RangeChunkResult`1")]
public sealed record RangeChunkResult<TPartial>(TPartial Partial, WorkerStamp Worker, string? TooLarge = null);

/// <summary>One item's failure inside a batch: its position in the batch and the kernel's message.</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.ItemError")]
public sealed record ItemError(int Position, string ErrorType, string Message);

/// <summary>
/// Results of a batch of items, in batch order; failed positions hold default values and appear in <see cref="Errors"/>.
/// There may be fewer results than items: the first ones, as many as fit one response message; the caller asks again
/// for the rest of the batch.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainPool.ItemsChunkResult`1")]
public sealed record ItemsChunkResult<TResult>(PackedArray<TResult> PackedResults, ItemError[] Errors, WorkerStamp Worker)
{
    /// <summary>
    /// The results in batch order, as an array of exactly their number that the caller may keep (a copy when they arrived
    /// in a pooled array: reading <see cref="PackedResults"/> avoids it).
    /// </summary>
    public TResult[] Results => PackedResults.Items;
}

/// <summary>
/// How a stopping silo hands a chunk back: a <see cref="SiloUnavailableException"/> whose message starts with
/// <see cref="MessageStart"/>, so a client can tell a graceful leave (the silo's other calls come back the same way)
/// from a silo that cannot be reached.
/// </summary>
public static class HandBack
{
    /// <summary>The start of the hand-back's message.</summary>
    public const string MessageStart = "This silo is stopping:";

    /// <summary>Whether <paramref name="error"/> is a chunk handed back by a stopping silo.</summary>
    public static bool Is(Exception error) =>
        error is SiloUnavailableException && error.Message.StartsWith(MessageStart, StringComparison.Ordinal);
}
