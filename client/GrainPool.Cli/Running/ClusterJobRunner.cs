using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;
using ClientItemFailedException = GrainPool.Client.ItemFailedException;
using KernelItemFailedException = GrainPool.Kernels.Running.ItemFailedException;

namespace GrainPool.Cli.Running;

/// <summary>
/// Runs jobs on a GrainPool cluster through <see cref="GrainPoolClient"/>: each kernel object a command passes is mapped
/// to the handle of the same kernel registered on the silos (<see cref="BuiltInKernels"/>); the chunk size becomes
/// <see cref="RangeOptions.ChunkSize"/> or <see cref="MapOptions.ChunkSize"/>, progress comes from
/// <see cref="JobOptions.Progress"/>, and the worker cap is <see cref="JobOptions.MaxWorkers"/>.
/// Disposing the runner disposes the <see cref="ClusterSession"/> it owns (stopping what the session started).
/// </summary>
internal sealed class ClusterJobRunner : IJobRunner
{
    private const int RangeChunksPerWorker = 16;
    private const int MaxMapChunk = 1 << 16;

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
        IRangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var width = (UInt128)last - first + 1;
        var options = new RangeOptions
        {
            ChunkSize = chunkSize == 0 ? DefaultRangeChunk(kernel, width) : chunkSize,
            MaxWorkers = _maxWorkers,
            Progress = progress is null ? null : new ProgressAdapter(progress, width),
        };

        // The kernels the commands use, each mapped to its registered twin; TPartial is the kernel's own type, so the
        // casts through object only restate what the pattern match proved.
        switch (kernel)
        {
            case PrimeCountKernel primes:
            {
                var result = await _client.CountPrimesAsync(first, last, MethodOf(primes.Method), options, cancellationToken);
                _usage.Record(result.Stats);
                return (TPartial)(object)result.Value;
            }

            case SqrtSumKernel:
            {
                var result = await _client.RunRangeAsync(BuiltInKernels.SqrtSumFixed, first, last, options, cancellationToken);
                _usage.Record(result.Stats);
                return (TPartial)(object)new SqrtSumPartial(result.Value);
            }

            case SquareSumKernel:
            {
                var result = await _client.SquareSumAsync(first, last, options, cancellationToken);
                _usage.Record(result.Stats);
                return (TPartial)(object)result.Value;
            }

            default:
                throw NotOnCluster(kernel.Name, kernel.GetType());
        }
    }

    /// <inheritdoc />
    public async Task RunMapAsync<TItem, TResult>(
        IItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (results.Length != items.Length)
        {
            throw new ArgumentException($"results has {results.Length} slots for {items.Length} items.", nameof(results));
        }

        object handle = kernel switch
        {
            IsPrimeKernel { Method: PrimalityMethod.Trial } => BuiltInKernels.IsPrimeTrial,
            IsPrimeKernel { Method: PrimalityMethod.MillerRabin } => BuiltInKernels.IsPrimeMillerRabin,
            UInt64PrimalityKernel => BuiltInKernels.IsPrimeMillerRabinUInt64,
            _ => throw NotOnCluster(kernel.Name, kernel.GetType()),
        };
        var options = new MapOptions
        {
            ChunkSize = chunkSize == 0 ? DefaultMapChunk(items.Length) : chunkSize,
            MaxWorkers = _maxWorkers,
            Progress = progress is null ? null : new ProgressAdapter(progress, (UInt128)items.Length),
        };

        try
        {
            var mapped = await _client.MapAsync((ItemKernel<TItem, TResult>)handle, AsList(items), options, cancellationToken);
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

    // The CLI fixes its chunks from the job's size instead of leaving them to the client's pacing (about
    // TargetChunkDuration of measured work per chunk), which also makes a command split the same way every run: about 16
    // range chunks or 4 map chunks per worker, each capped at about a second or two of one core's work (measured on
    // this project's 2-core machine) or 64 Ki items (a map chunk is one message). A grain call must finish within
    // Orleans' response timeout (30 s, counted from when the call queues behind the worker's previous chunk), or it
    // fails with TimeoutException and is retried elsewhere; the caps keep every chunk far below it.
    private ulong DefaultRangeChunk<TPartial>(IRangeKernel<TPartial> kernel, UInt128 width)
    {
        var (minimum, maximum) = kernel switch
        {
            PrimeCountKernel { Method: PrimalityMethod.Sieve } => (BuiltInKernels.PrimeCountSieve.MinChunkSize, 1UL << 32),
            PrimeCountKernel { Method: PrimalityMethod.MillerRabin } => (BuiltInKernels.PrimeCountMillerRabin.MinChunkSize, 1UL << 22),
            PrimeCountKernel => (BuiltInKernels.PrimeCountTrial.MinChunkSize, 1UL << 12),
            SqrtSumKernel => (BuiltInKernels.SqrtSumFixed.MinChunkSize, 1UL << 32),
            _ => (BuiltInKernels.SquareSum.MinChunkSize, 1UL << 32),
        };
        var even = width / (UInt128)(Math.Max(Workers, 1) * RangeChunksPerWorker);
        return (ulong)UInt128.Clamp(even, minimum, maximum);
    }

    private int? DefaultMapChunk(int items) =>
        items == 0 ? null : (int)Math.Clamp((items + (4L * Math.Max(Workers, 1)) - 1) / (4L * Math.Max(Workers, 1)), 1, MaxMapChunk);

    private static PrimeCountMethod MethodOf(PrimalityMethod method) => method switch
    {
        PrimalityMethod.Sieve => PrimeCountMethod.Sieve,
        PrimalityMethod.MillerRabin => PrimeCountMethod.MillerRabin,
        PrimalityMethod.Trial => PrimeCountMethod.Trial,
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown primality method."),
    };

    private static NotSupportedException NotOnCluster(string name, Type type) =>
        new($"the kernel '{name}' ({type.Name}) has no counterpart registered on the cluster; run it with --in-process");

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

    /// <summary>The largest worker and silo counts seen in any job's statistics, shared by a runner and its views.</summary>
    private sealed class UsageTracker
    {
        private readonly Lock _gate = new();
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
                _current = new RunnerUsage(Math.Max(_current.Workers, stats.Workers), Math.Max(_current.Silos, stats.Silos));
            }
        }
    }
}
