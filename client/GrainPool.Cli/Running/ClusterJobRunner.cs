using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Kernels.Running;
using ClientItemFailedException = GrainPool.Client.ItemFailedException;
using KernelItemFailedException = GrainPool.Kernels.Running.ItemFailedException;

namespace GrainPool.Cli.Running;

/// <summary>
/// Runs jobs on a GrainPool cluster through <see cref="GrainPoolClient"/>: the handle a command passes goes to the client
/// as it is; the chunk size becomes <see cref="RangeOptions.ChunkSize"/> or <see cref="MapOptions.ChunkSize"/> (null: the
/// client's pacing by measured kernel time), progress comes from
/// <see cref="JobOptions.Progress"/>, and the worker cap is <see cref="JobOptions.MaxWorkers"/>.
/// Disposing the runner disposes the <see cref="ClusterSession"/> it owns (stopping what the session started).
/// </summary>
internal sealed class ClusterJobRunner : IJobRunner
{
    private readonly ClusterSession? _ownedSession;
    private readonly GrainPoolClient _client;
    private readonly int? _maxWorkers;
    private readonly UsageTracker _usage;

    private ClusterJobRunner(ClusterSession? ownedSession, GrainPoolClient client, string mode, ClusterTopology topology, int? maxWorkers, UsageTracker usage)
    {
        _ownedSession = ownedSession;
        _client = client;
        Mode = mode;
        Topology = topology;
        _maxWorkers = maxWorkers;
        _usage = usage;
    }

    /// <inheritdoc />
    public string Mode { get; }

    /// <summary>The cluster's silos and worker slots as the runner found them at start.</summary>
    public ClusterTopology Topology { get; }

    /// <inheritdoc />
    public int Workers => Math.Min(Topology.TotalSlots, _maxWorkers ?? int.MaxValue);

    /// <inheritdoc />
    public int Silos => Topology.Silos.Length;

    /// <inheritdoc />
    public RunnerUsage Usage => _usage.Current;

    /// <summary>A runner over <paramref name="session"/>'s cluster that owns the session; jobs use at most <paramref name="maxWorkers"/> workers.</summary>
    public static ClusterJobRunner Over(ClusterSession session, int? maxWorkers) =>
        new(session, session.Client, RunnerModeNames.NameOf(session.Mode), session.Topology, maxWorkers, new UsageTracker());

    /// <inheritdoc />
    public IJobRunner WithMaxWorkers(int maxWorkers) =>
        new ClusterJobRunner(null, _client, Mode, Topology, Math.Min(Math.Max(maxWorkers, 1), _maxWorkers ?? int.MaxValue), _usage);

    /// <inheritdoc />
    public async Task<TPartial> RunRangeAsync<TPartial>(
        RangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong? chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var options = new RangeOptions
        {
            ChunkSize = chunkSize,
            MaxWorkers = _maxWorkers,
            Progress = progress is null ? null : new ProgressAdapter(progress, (UInt128)last - first + 1),
        };

        var result = await _client.RunRangeAsync(kernel, first, last, options, cancellationToken);
        _usage.Record(result.Stats);
        return result.Value;
    }

    /// <inheritdoc />
    public async Task RunMapAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int? chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (results.Length != items.Length)
        {
            throw new ArgumentException($"results has {results.Length} slots for {items.Length} items.", nameof(results));
        }

        var options = new MapOptions
        {
            ChunkSize = chunkSize,
            MaxWorkers = _maxWorkers,
            Progress = progress is null ? null : new ProgressAdapter(progress, (UInt128)items.Length),
        };

        try
        {
            var mapped = await _client.MapAsync(kernel, AsList(items), options, cancellationToken);
            _usage.Record(mapped.Stats);
            mapped.Results.CopyTo(results);
        }
        catch (ClientItemFailedException ex)
        {
            // The same failure the in-process runner reports, so the program prints it the same way.
            throw new KernelItemFailedException(ex.Failure.Index, ex.Failure.Item, new ArgumentException($"{ex.Failure.ErrorType}: {ex.Failure.Message}"));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _ownedSession?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>The client's progress (units done, total when known) as the commands' <see cref="RunProgress"/>.</summary>
    private sealed class ProgressAdapter(IProgress<RunProgress> inner, UInt128 total) : IProgress<MapProgress>
    {
        public void Report(MapProgress value) => inner.Report(new RunProgress((UInt128)Math.Max(value.Done, 0), total));
    }

    /// <summary>
    /// The items as the list the client chunks, without copying them whole: the array segment behind the memory when
    /// there is one (the client copies each chunk out of it in one block), else a view that reads item by item.
    /// </summary>
    private static IReadOnlyList<T> AsList<T>(ReadOnlyMemory<T> items) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(items, out var segment) ? segment : new MemoryList<T>(items);

    /// <summary>A view of memory that is not an array (native or pinned memory), read item by item.</summary>
    private sealed class MemoryList<T>(ReadOnlyMemory<T> items) : IReadOnlyList<T>
    {
        public int Count => items.Length;

        public T this[int index] => items.Span[index];

        public IEnumerator<T> GetEnumerator()
        {
            for (var i = 0; i < items.Length; i++)
            {
                yield return items.Span[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The largest worker and silo counts seen in any job's statistics and all jobs' chunks, shared by a runner and its views.</summary>
    private sealed class UsageTracker
    {
        private readonly Lock _gate = new();
        private readonly ChunkSizeLog _chunks = new();
        private RunnerUsage _current;

        public RunnerUsage Current
        {
            get
            {
                lock (_gate)
                {
                    return _current;
                }
            }
        }

        public void Record(JobStats stats)
        {
            lock (_gate)
            {
                _chunks.Add(stats.ChunkSizes);
                _current = new RunnerUsage(Math.Max(_current.Workers, stats.Workers), Math.Max(_current.Silos, stats.Silos), _chunks);
            }
        }
    }
}
