using GrainPool.Kernels.Running;

namespace GrainPool.Client;

/// <summary>Scheduling options shared by every job kind.</summary>
public class JobOptions
{
    /// <summary>
    /// Chunks each worker has in flight at once; 2 or more hides the round trip (default 2). Over all the jobs of one
    /// Orleans client, a worker has at most 4 calls waiting or running (<c>WorkerGates</c>); more wait in the client.
    /// </summary>
    public int InFlightPerWorker { get; init; } = 2;

    /// <summary>Reports progress (items or numbers done, the total when known, and the rate).</summary>
    public IProgress<MapProgress>? Progress { get; init; }

    /// <summary>
    /// Fails the job with <see cref="JobTimeoutException"/> (a <see cref="TimeoutException"/>) when it runs longer, for every
    /// job kind: range jobs, <c>MapAsync</c>, <c>MapUnorderedAsync</c>, <c>MapStreamAsync</c> and <c>SubmitAsync</c> (default: no limit).
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Times a chunk is retried on the next worker when its silo fails or disappears (default 3; 0 runs each chunk once).
    /// A chunk that fails on its first attempt and on every retry ends the job with <see cref="ChunkRetriesExhaustedException"/>,
    /// naming the chunk and the silos it was tried on, with the last failure as its inner exception.
    /// </summary>
    public int MaxChunkRetries { get; init; } = 3;

    /// <summary>Use at most this many workers (default: every worker slot of the cluster).</summary>
    public int? MaxWorkers { get; init; }

    /// <summary>
    /// Kernel time aimed for per chunk when no chunk size is given (default 0.5 s, <see cref="ChunkPolicy.DefaultTargetDuration"/>),
    /// at the rate the job's finished chunks measure: long enough that a round trip is noise, short enough for fast
    /// cancellation, failover and an even finish, and far below Orleans' 30 s response timeout, which a chunk queued
    /// behind another must also meet. Chunks shrink towards the end of a range or list (at most what is left over twice
    /// the workers). A map's chunks start at one item and are never larger than its count rule (Pool.map's: items / (4 x workers)).
    /// The in-process runner sizes its chunks by the same <see cref="ChunkPolicy"/>.
    /// </summary>
    public TimeSpan TargetChunkDuration { get; init; } = ChunkPolicy.DefaultTargetDuration;

    internal virtual void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InFlightPerWorker, 1, nameof(InFlightPerWorker));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxChunkRetries, nameof(MaxChunkRetries));
        if (MaxWorkers is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWorkers), MaxWorkers, "MaxWorkers must be at least 1.");
        }

        if (TargetChunkDuration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetChunkDuration), TargetChunkDuration, "TargetChunkDuration must be positive.");
        }

        if (Timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), t, "Timeout must be positive.");
        }
    }
}

/// <summary>Options of a range job (prime counting, sums, user range kernels).</summary>
public sealed class RangeOptions : JobOptions
{
    /// <summary>
    /// Numbers per chunk (default: chosen as the job runs, see <see cref="JobOptions.TargetChunkDuration"/>). A fixed chunk must
    /// finish within the client's response timeout (Orleans' 30 s by default), or it is taken for a failed silo.
    /// </summary>
    public ulong? ChunkSize { get; init; }

    internal override void Validate()
    {
        base.Validate();
        ChunkPolicy.ThrowIfInvalid(ChunkSize, nameof(ChunkSize));
    }
}

/// <summary>What a map does when the kernel fails on an item.</summary>
public enum ItemErrorMode
{
    /// <summary>Stop at the first failing item and throw <see cref="ItemFailedException"/> (like Pool.map).</summary>
    FailFast,

    /// <summary>Keep going; failures are reported per item and the job completes.</summary>
    Collect,
}

/// <summary>Options of a map over items (Pool.map, imap, imap_unordered).</summary>
public sealed class MapOptions : JobOptions
{
    /// <summary>
    /// Items per chunk. Default: sized as the job runs to about <see cref="JobOptions.TargetChunkDuration"/> of kernel
    /// time, never more than items / (4 x workers) for a list (Pool.map's chunksize rule) or 1024 items for a stream.
    /// A fixed chunk, including the wait behind the chunk ahead of it on its worker (<see cref="JobOptions.InFlightPerWorker"/>),
    /// must finish within the client's response timeout (Orleans' 30 s by default), or it is taken for a failed silo.
    /// </summary>
    public int? ChunkSize { get; init; }

    /// <summary>Fail fast (default) or collect per-item errors.</summary>
    public ItemErrorMode Errors { get; init; } = ItemErrorMode.FailFast;

    internal override void Validate()
    {
        base.Validate();
        ChunkPolicy.ThrowIfInvalid(ChunkSize, nameof(ChunkSize));
    }
}

/// <summary>Progress of a job: units done, the total when known, and the rate so far.</summary>
public readonly record struct MapProgress(long Done, long? Total, double PerSecond, TimeSpan Elapsed);
