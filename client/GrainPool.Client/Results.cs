using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace GrainPool.Client;

/// <summary>Where and how a job ran.</summary>
public sealed record JobStats(TimeSpan Elapsed, long Chunks, int Workers, int Silos, double BusySeconds, long Retries)
{
    /// <summary>The sizes of the chunks that returned (numbers of a range, or items): count, smallest, median, largest.</summary>
    public ChunkSizeLog ChunkSizes { get; init; } = new();

    internal static JobStats From(StatsCollector collector, TimeSpan elapsed) => collector.Snapshot(elapsed);
}

/// <summary>A job's combined result with its statistics.</summary>
public sealed record JobResult<T>(T Value, JobStats Stats);

/// <summary>One item's failure in a map: its index in the input, its value, and the kernel's message.</summary>
public sealed record ItemFailure(long Index, object? Item, string ErrorType, string Message)
{
    private const int ShownCharacters = 60;

    /// <summary>
    /// An item's value as messages show it: its text, or for a long one (a large text or array) its first
    /// characters and its length, so that an error about a large item stays one readable line.
    /// </summary>
    public static string Show(object? item)
    {
        var text = item?.ToString() ?? "null";
        return text.Length <= ShownCharacters ? text : $"{text[..ShownCharacters]}... ({text.Length} characters)";
    }
}

/// <summary>An ordered map's results (failed items hold default values when errors are collected).</summary>
public sealed record MapResult<TResult>(TResult[] Results, IReadOnlyList<ItemFailure> Failures, JobStats Stats);

/// <summary>One result of an unordered map, with the index of its item.</summary>
public readonly record struct IndexedResult<TResult>(long Index, TResult Result);

/// <summary>The kernel failed on one item of a map: names the item's index and value.</summary>
public sealed class ItemFailedException(ItemFailure failure, long completedItems)
    : Exception($"Item {failure.Index} (value {ItemFailure.Show(failure.Item)}) failed: {failure.ErrorType}: {failure.Message}")
{
    /// <summary>The failing item.</summary>
    public ItemFailure Failure { get; } = failure;

    /// <summary>Items whose results had been computed when the job stopped.</summary>
    public long CompletedItems { get; } = completedItems;
}

/// <summary>Thread-safe tally of the worker stamps returned by chunks.</summary>
internal sealed class StatsCollector
{
    private readonly Lock _gate = new();
    private readonly HashSet<(string Silo, long Slot)> _workers = [];
    private readonly HashSet<string> _silos = [];
    private long _chunks;
    private double _busy;
    private readonly ChunkSizeLog _sizes = new();
    private long _retries;

    public void Add(WorkerStamp stamp, ulong units)
    {
        _sizes.Add(units);
        lock (_gate)
        {
            _chunks++;
            _busy += stamp.BusySeconds;
            _workers.Add((stamp.Silo, stamp.Slot));
            _silos.Add(stamp.Silo);
        }
    }

    public void Retried() => Interlocked.Increment(ref _retries);

    /// <summary>Chunks that returned so far.</summary>
    public long Chunks
    {
        get
        {
            lock (_gate)
            {
                return _chunks;
            }
        }
    }

    public JobStats Snapshot(TimeSpan elapsed)
    {
        lock (_gate)
        {
            return new JobStats(elapsed, _chunks, _workers.Count, _silos.Count, _busy, Interlocked.Read(ref _retries)) { ChunkSizes = _sizes.Snapshot() };
        }
    }
}

/// <summary>A job ran past its <see cref="JobOptions.Timeout"/> (not an Orleans call timeout); unfinished chunks were cancelled.</summary>
public sealed class JobTimeoutException(string message) : TimeoutException(message);

/// <summary>
/// A chunk's silo failed or left (the transient failures the client retries: the silo unavailable, no response within
/// the client's response timeout, the connection lost) on its first attempt and on every retry that
/// <see cref="JobOptions.MaxChunkRetries"/> allows, each on the next worker. The message names the chunk, the attempts
/// and their silos; <see cref="Exception.InnerException"/> is the last attempt's failure. The job's other chunks were cancelled.
/// </summary>
public sealed class ChunkRetriesExhaustedException(string chunk, int maxChunkRetries, IReadOnlyList<string> silos, Exception lastError)
    : Exception(
        $"{chunk} failed on {silos.Count} attempt{(silos.Count == 1 ? "" : "s")} (MaxChunkRetries {maxChunkRetries}), on silo{(silos.Count == 1 ? "" : "s")} " +
        $"{string.Join(", ", silos)}; the last error: {lastError.GetType().Name}: {lastError.Message}",
        lastError)
{
    /// <summary>The chunk, as the message names it: a range's kernel and [first, last], or a map chunk's kernel, item indices and first value.</summary>
    public string Chunk { get; } = chunk;

    /// <summary>The silo of each attempt, in order (the first attempt and every retry).</summary>
    public IReadOnlyList<string> Silos { get; } = [.. silos];

    /// <summary>The retries the job allowed (<see cref="JobOptions.MaxChunkRetries"/>); attempts are one more.</summary>
    public int MaxChunkRetries { get; } = maxChunkRetries;
}
