using GrainPool.Abstractions;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrainPool.Client;

/// <summary>
/// The map-style API over a GrainPool cluster: Pool.map (<see cref="MapAsync{TItem, TResult}"/>), imap_unordered
/// (<see cref="MapUnorderedAsync{TItem, TResult}"/>), imap over a lazy stream (<see cref="MapStreamAsync{TItem, TResult}(ItemKernel{TItem, TResult}, IAsyncEnumerable{TItem}, MapOptions?, Action{ItemFailure}?, CancellationToken)"/>),
/// range jobs split over every worker (<see cref="RunRangeAsync{TPartial}"/>, <see cref="CountPrimesAsync"/>,
/// <see cref="SqrtSumAsync"/>, <see cref="SquareSumAsync"/>), and ProcessPoolExecutor.submit (<see cref="SubmitAsync{TItem, TResult}(ItemKernel{TItem, TResult}, TItem, CancellationToken)"/>).
/// Thread-safe; one instance serves any number of concurrent jobs. Each method builds a job (<see cref="RangeJob{TPartial}"/>,
/// <see cref="MapJob{TItem, TResult}"/>, ...) and runs it through the one job skeleton, <see cref="ClientJob{TChunk}"/>.
/// </summary>
/// <param name="grains">The cluster's grain factory (an <see cref="IClusterClient"/>, or a silo's own).</param>
/// <param name="logger">Where jobs log their end, a lost silo and a retried chunk (null: nowhere); <c>AddGrainPoolClient</c> passes the host's.</param>
public sealed class GrainPoolClient(IGrainFactory grains, ILogger<GrainPoolClient>? logger)
{
    private readonly ILogger _logger = logger ?? NullLogger<GrainPoolClient>.Instance;

    // One cap per worker over all the jobs of the Orleans client under this one (see WorkerGates).
    private readonly WorkerGates _gates = WorkerGates.For(grains);

    // What the Orleans client under this one knows of its silos' liveness, shared by all its jobs (see SiloWatch).
    private readonly SiloWatch _watch = SiloWatch.For(grains, logger);

    // Chunks straight to their silo's gateway (see SiloRoutes), shared like the watch; connected on the first job.
    private readonly Lazy<SiloRoutes?> _routes = new(() => SiloRoutes.For(grains, logger ?? (ILogger)NullLogger<GrainPoolClient>.Instance));

    /// <summary>A client over <paramref name="grains"/> that logs nothing.</summary>
    public GrainPoolClient(IGrainFactory grains)
        : this(grains, null)
    {
    }

    /// <summary>Default items per chunk for a stream of unknown length.</summary>
    public const int DefaultStreamChunkSize = ChunkPolicy.MaxStreamChunk;

    /// <summary>Connects the chunks' direct routes to every silo now, instead of at the first job; for tests.</summary>
    internal Task ConnectRoutesAsync() => _routes.Value?.ConnectNowAsync() ?? Task.CompletedTask;

    /// <summary>The Orleans grain factory this client calls through.</summary>
    public IGrainFactory Grains { get; } = grains;

    /// <summary>The cluster's active silos and worker slots, as the placement director sees them.</summary>
    public Task<ClusterTopology> GetTopologyAsync() => Grains.GetGrain<IClusterInfoGrain>(0).GetTopologyAsync();

    /// <summary>
    /// Counts primes p with first &lt;= p &lt;= last, with the method of <paramref name="method"/> (one of the prime-count
    /// handles of <see cref="BuiltInKernels"/>; default <see cref="BuiltInKernels.PrimeCountSieve"/>).
    /// </summary>
    public Task<JobResult<ulong>> CountPrimesAsync(ulong first, ulong last, RangeKernel<ulong>? method = null, RangeOptions? options = null, CancellationToken cancellationToken = default)
    {
        method ??= BuiltInKernels.PrimeCountSieve;
        if (method.Kernel is PrimeCountKernel primes && last > primes.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"{method.Id} takes values up to {primes.MaxValue}; last was {last}.");
        }

        return RunRangeAsync(method, first, last, options, cancellationToken);
    }

    /// <summary>Sum of sqrt(i) for i in [first, last], correctly rounded and identical for any cluster shape.</summary>
    public async Task<JobResult<double>> SqrtSumAsync(ulong first, ulong last, RangeOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (last >= SqrtSum.MaxExclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"Square-root sums take i below 2^50 ({SqrtSum.MaxExclusive}); got {last}.");
        }

        var result = await RunRangeAsync(BuiltInKernels.SqrtSum, first, last, options, cancellationToken).ConfigureAwait(false);
        return new JobResult<double>(result.Value.ToDouble(), result.Stats);
    }

    /// <summary>Sum of i*i for i in [first, last], exact.</summary>
    public Task<JobResult<UInt128>> SquareSumAsync(ulong first, ulong last, RangeOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (last >= SquareSum.MaxExclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"Square sums take i below 10^13 ({SquareSum.MaxExclusive}); got {last}.");
        }

        return RunRangeAsync(BuiltInKernels.SquareSum, first, last, options, cancellationToken);
    }

    /// <summary>
    /// Runs a range kernel over [first, last]: split into chunks, pulled by the workers, partial results combined
    /// with the kernel's exact combine.
    /// </summary>
    public Task<JobResult<TPartial>> RunRangeAsync<TPartial>(RangeKernel<TPartial> kernel, ulong first, ulong last, RangeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        options ??= new RangeOptions();
        options.Validate();
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        return new RangeJob<TPartial>(Grains, _logger, kernel, first, last, options) { Routes = _routes.Value, Gates = _gates, Watch = _watch }.RunAsync(cancellationToken);
    }

    /// <summary>
    /// Pool.map: applies the kernel to every item and returns the results in input order. Items travel in chunks
    /// (<see cref="MapOptions.ChunkSize"/>; by default sized as the job runs to about
    /// <see cref="JobOptions.TargetChunkDuration"/> of work, and never larger than Pool.map's chunksize rule of about
    /// 4 chunks per worker).
    /// </summary>
    public Task<MapResult<TResult>> MapAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, IReadOnlyList<TItem> items, MapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(items);
        options ??= new MapOptions();
        options.Validate();
        if (items.Count == 0)
        {
            return Task.FromResult(new MapResult<TResult>([], [], new StatsCollector().Snapshot(TimeSpan.Zero)));
        }

        return new MapJob<TItem, TResult>(Grains, _logger, kernel, items, options) { Routes = _routes.Value, Gates = _gates, Watch = _watch }.RunAsync(cancellationToken);
    }

    /// <summary>
    /// imap_unordered: yields (index, result) for every item as its chunk finishes, each index exactly once.
    /// With <see cref="ItemErrorMode.Collect"/>, failed items are skipped here and can be observed through
    /// <paramref name="onFailure"/>.
    /// </summary>
    public IAsyncEnumerable<IndexedResult<TResult>> MapUnorderedAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        IReadOnlyList<TItem> items,
        MapOptions? options = null,
        Action<ItemFailure>? onFailure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(items);
        options ??= new MapOptions();
        options.Validate();
        return items.Count == 0
            ? AsyncEnumerable.Empty<IndexedResult<TResult>>()
            : new UnorderedMapJob<TItem, TResult>(Grains, _logger, kernel, items, options, onFailure) { Routes = _routes.Value, Gates = _gates, Watch = _watch }.RunAsync(cancellationToken);
    }

    /// <summary>
    /// imap over a lazy stream of unknown length: results in input order, with bounded memory: at most
    /// workers x in-flight x 2 chunks exist at any time (running or waiting for an earlier chunk to be consumed).
    /// With <see cref="ItemErrorMode.Collect"/>, a failed item yields <c>default</c> in its place and is reported to
    /// <paramref name="onFailure"/> (with its index and value; it may be called from several threads at once) before
    /// that placeholder is yielded.
    /// </summary>
    public IAsyncEnumerable<TResult> MapStreamAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, IEnumerable<TItem> items, MapOptions? options = null, Action<ItemFailure>? onFailure = null, CancellationToken cancellationToken = default) =>
        MapStreamAsync(kernel, ToAsync(items), options, onFailure, cancellationToken);

    /// <inheritdoc cref="MapStreamAsync{TItem, TResult}(ItemKernel{TItem, TResult}, IEnumerable{TItem}, MapOptions?, Action{ItemFailure}?, CancellationToken)"/>
    /// <remarks>The signature from before <c>onFailure</c>, kept so that calls passing a token positionally still compile and run.</remarks>
    public IAsyncEnumerable<TResult> MapStreamAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, IEnumerable<TItem> items, MapOptions? options, CancellationToken cancellationToken) =>
        MapStreamAsync(kernel, ToAsync(items), options, onFailure: null, cancellationToken);

    /// <inheritdoc cref="MapStreamAsync{TItem, TResult}(ItemKernel{TItem, TResult}, IEnumerable{TItem}, MapOptions?, Action{ItemFailure}?, CancellationToken)"/>
    /// <remarks>The signature from before <c>onFailure</c>, kept so that calls passing a token positionally still compile and run.</remarks>
    public IAsyncEnumerable<TResult> MapStreamAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, IAsyncEnumerable<TItem> items, MapOptions? options, CancellationToken cancellationToken) =>
        MapStreamAsync(kernel, items, options, onFailure: null, cancellationToken);

    /// <inheritdoc cref="MapStreamAsync{TItem, TResult}(ItemKernel{TItem, TResult}, IEnumerable{TItem}, MapOptions?, Action{ItemFailure}?, CancellationToken)"/>
    public IAsyncEnumerable<TResult> MapStreamAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        IAsyncEnumerable<TItem> items,
        MapOptions? options = null,
        Action<ItemFailure>? onFailure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(items);
        options ??= new MapOptions();
        options.Validate();
        return new StreamMapJob<TItem, TResult>(Grains, _logger, kernel, items, options, onFailure) { Routes = _routes.Value, Gates = _gates, Watch = _watch }.RunAsync(cancellationToken);
    }

    /// <summary>
    /// ProcessPoolExecutor.submit: runs the kernel on one item on some worker. If that worker's silo fails or leaves,
    /// the item runs on the next worker (up to <see cref="JobOptions.MaxChunkRetries"/> times); cancelling stops it on
    /// its silo like any job. An item must finish within Orleans' response timeout (30 s by default).
    /// </summary>
    public Task<TResult> SubmitAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, TItem item, CancellationToken cancellationToken = default) =>
        SubmitAsync(kernel, item, options: null, cancellationToken);

    /// <summary>
    /// <see cref="SubmitAsync{TItem, TResult}(ItemKernel{TItem, TResult}, TItem, CancellationToken)"/> with the options
    /// of a job: its <see cref="JobOptions.Timeout"/> (<see cref="JobTimeoutException"/> when the item runs longer),
    /// <see cref="JobOptions.MaxChunkRetries"/> and <see cref="JobOptions.MaxWorkers"/>; the item is one chunk, with one call in flight.
    /// </summary>
    public Task<TResult> SubmitAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, TItem item, JobOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        options ??= new JobOptions();
        options.Validate();
        var single = new MapOptions
        {
            InFlightPerWorker = 1,
            ChunkSize = 1,
            Timeout = options.Timeout,
            MaxChunkRetries = options.MaxChunkRetries,
            MaxWorkers = options.MaxWorkers,
            Progress = options.Progress,
        };
        return new SubmitJob<TItem, TResult>(Grains, _logger, kernel, item, single) { Routes = _routes.Value, Gates = _gates, Watch = _watch }.RunAsync(cancellationToken);
    }

    private static async IAsyncEnumerable<TItem> ToAsync<TItem>(IEnumerable<TItem> items)
    {
        foreach (var item in items)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
