using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GrainPool.Abstractions;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Client;

/// <summary>
/// The map-style API over a GrainPool cluster: Pool.map (<see cref="MapAsync{TItem, TResult}"/>), imap_unordered
/// (<see cref="MapUnorderedAsync{TItem, TResult}"/>), imap over a lazy stream (<see cref="MapStreamAsync{TItem, TResult}(ItemKernel{TItem, TResult}, IAsyncEnumerable{TItem}, MapOptions?, Action{ItemFailure}?, CancellationToken)"/>),
/// range jobs split over every worker (<see cref="RunRangeAsync{TPartial}"/>, <see cref="CountPrimesAsync"/>,
/// <see cref="SqrtSumAsync"/>, <see cref="SquareSumAsync"/>), and ProcessPoolExecutor.submit (<see cref="SubmitAsync{TItem, TResult}"/>).
/// Thread-safe; one instance serves any number of concurrent jobs.
/// </summary>
public sealed class GrainPoolClient(IGrainFactory grains)
{
    /// <summary>Default items per chunk for a stream of unknown length.</summary>
    public const int DefaultStreamChunkSize = ChunkPolicy.MaxStreamChunk;

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
    public async Task<JobResult<TPartial>> RunRangeAsync<TPartial>(RangeKernel<TPartial> kernel, ulong first, ulong last, RangeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        options ??= new RangeOptions();
        options.Validate();
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"first ({first}) must not exceed last ({last}).");
        }

        var job = JobMetrics.Start(kernel.Id, "range");
        try
        {
            var result = await RunRangeCoreAsync(kernel, first, last, options, job, cancellationToken).ConfigureAwait(false);
            job.Completed();
            return result;
        }
        catch (Exception ex)
        {
            job.Ended(ex);
            throw;
        }
    }

    private async Task<JobResult<TPartial>> RunRangeCoreAsync<TPartial>(RangeKernel<TPartial> kernel, ulong first, ulong last, RangeOptions options, JobMetrics job, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var workers = await WorkersAsync(options).ConfigureAwait(false);
        var width = (UInt128)last - first + 1;
        // Every lane (worker x in-flight) pulls chunks, so the guided share divides what is left among the lanes.
        var source = new RangeChunkSource(first, last, options.ChunkSize, kernel.MinChunkSize, workers.Length * options.InFlightPerWorker, options.TargetChunkDuration);
        var stats = new StatsCollector();
        var gate = new Lock();
        var total = kernel.Zero;
        var progress = new ProgressReporter(options.Progress, width > long.MaxValue ? null : (long)width, started, job);

        using var deadline = new JobDeadline(options, cancellationToken);
        var run = ChunkDispatcher.RunAsync(Grains, workers, options, source, async (worker, chunk, jobId, token) =>
        {
            var result = await worker.ComputeRangeAsync<TPartial>(jobId, kernel.Id, chunk.First, chunk.Last, token).ConfigureAwait(false);
            source.Completed(chunk, result.Worker.BusySeconds);
            lock (gate)
            {
                total = kernel.Combine(total, result.Partial);
            }

            stats.Add(result.Worker, chunk.Last - chunk.First + 1);
            progress.Add((long)Math.Min(chunk.Last - chunk.First + 1, long.MaxValue));
        }, chunk => $"Chunk {kernel.Id} [{chunk.First}, {chunk.Last}]", stats, job, deadline.Token);
        await deadline.AwaitAsync(run, () => $"Job {kernel.Id} over [{first}, {last}]").ConfigureAwait(false);

        return new JobResult<TPartial>(total, stats.Snapshot(Stopwatch.GetElapsedTime(started)));
    }

    /// <summary>
    /// Pool.map: applies the kernel to every item and returns the results in input order. Items travel in chunks
    /// (<see cref="MapOptions.ChunkSize"/>; by default sized as the job runs to about
    /// <see cref="JobOptions.TargetChunkDuration"/> of work, and never larger than Pool.map's chunksize rule of about
    /// 4 chunks per worker).
    /// </summary>
    public async Task<MapResult<TResult>> MapAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, IReadOnlyList<TItem> items, MapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(items);
        options ??= new MapOptions();
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var results = new TResult[items.Count];
        var failures = new List<ItemFailure>();
        var stats = new StatsCollector();
        if (items.Count == 0)
        {
            return new MapResult<TResult>(results, failures, stats.Snapshot(TimeSpan.Zero));
        }

        var job = JobMetrics.Start(kernel.Id, "map");
        try
        {
            var result = await MapCoreAsync(kernel, items, options, results, failures, stats, started, job, cancellationToken).ConfigureAwait(false);
            job.Completed();
            return result;
        }
        catch (Exception ex)
        {
            job.Ended(ex);
            throw;
        }
    }

    private async Task<MapResult<TResult>> MapCoreAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        IReadOnlyList<TItem> items,
        MapOptions options,
        TResult[] results,
        List<ItemFailure> failures,
        StatsCollector stats,
        long started,
        JobMetrics job,
        CancellationToken cancellationToken)
    {
        var workers = await WorkersAsync(options).ConfigureAwait(false);
        var pacer = MapPacer(options, items.Count, workers.Length);
        var source = new ListChunkSource<TItem>(items, pacer);
        var progress = new ProgressReporter(options.Progress, items.Count, started, job);
        long completed = 0;

        using var deadline = new JobDeadline(options, cancellationToken);
        var run = ChunkDispatcher.RunAsync(Grains, workers, options, source, async (worker, chunk, jobId, token) =>
        {
            var result = await worker.ComputeItemsAsync<TItem, TResult>(jobId, kernel.Id, chunk.Items, token).ConfigureAwait(false);
            pacer.Completed(chunk.Items.Length, result.Worker.BusySeconds);
            result.Results.CopyTo(results, chunk.Start);
            stats.Add(result.Worker, (ulong)chunk.Items.Length);
            var done = Interlocked.Add(ref completed, result.Results.Length - result.Errors.Length);
            CollectErrors(chunk, result.Errors, failures, options.Errors, done);
            progress.Add(chunk.Items.Length);
        }, chunk => DescribeChunk(kernel.Id, chunk), stats, job, deadline.Token);
        await deadline.AwaitAsync(run, () => $"Map {kernel.Id} over {items.Count} items").ConfigureAwait(false);

        failures.Sort((a, b) => a.Index.CompareTo(b.Index));
        return new MapResult<TResult>(results, failures, stats.Snapshot(Stopwatch.GetElapsedTime(started)));
    }

    /// <summary>
    /// imap_unordered: yields (index, result) for every item as its chunk finishes, each index exactly once.
    /// With <see cref="ItemErrorMode.Collect"/>, failed items are skipped here and can be observed through
    /// <paramref name="onFailure"/>.
    /// </summary>
    public async IAsyncEnumerable<IndexedResult<TResult>> MapUnorderedAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        IReadOnlyList<TItem> items,
        MapOptions? options = null,
        Action<ItemFailure>? onFailure = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(items);
        options ??= new MapOptions();
        options.Validate();
        if (items.Count == 0)
        {
            yield break;
        }

        var started = Stopwatch.GetTimestamp();
        var (job, workers) = await StartStreamedJobAsync(kernel.Id, "map-unordered", options).ConfigureAwait(false);

        var pacer = MapPacer(options, items.Count, workers.Length);
        var source = new ListChunkSource<TItem>(items, pacer);
        var stats = new StatsCollector();
        var progress = new ProgressReporter(options.Progress, items.Count, started, job);
        // Bounded: a slow consumer holds back the workers instead of buffering every result.
        var finished = Channel.CreateBounded<(ItemChunk<TItem> Chunk, ItemsChunkResult<TResult> Result)>(workers.Length * options.InFlightPerWorker);
        long completed = 0;

        using var deadline = new JobDeadline(options, cancellationToken);
        var run = ChunkDispatcher.RunAsync(Grains, workers, options, source, async (worker, chunk, jobId, token) =>
        {
            var result = await worker.ComputeItemsAsync<TItem, TResult>(jobId, kernel.Id, chunk.Items, token).ConfigureAwait(false);
            pacer.Completed(chunk.Items.Length, result.Worker.BusySeconds);
            stats.Add(result.Worker, (ulong)chunk.Items.Length);
            var done = Interlocked.Add(ref completed, result.Results.Length - result.Errors.Length);
            HandleErrors(chunk, result.Errors, onFailure, options.Errors, done);
            await finished.Writer.WriteAsync((chunk, result), token).ConfigureAwait(false);
            progress.Add(chunk.Items.Length);
        }, chunk => DescribeChunk(kernel.Id, chunk), stats, job, deadline.Token);
        _ = run.ContinueWith(t => finished.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        var consumed = false;
        try
        {
            await foreach (var (chunk, result) in finished.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var failed = result.Errors.Length == 0 ? null : result.Errors.Select(e => e.Position).ToHashSet();
                for (var i = 0; i < result.Results.Length; i++)
                {
                    if (failed is null || !failed.Contains(i))
                    {
                        yield return new IndexedResult<TResult>(chunk.Start + i, result.Results[i]);
                    }
                }
            }

            consumed = true;
            await deadline.AwaitAsync(run, () => $"Unordered map {kernel.Id} over {items.Count} items").ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await StopAbandonedRunAsync(run, deadline, consumed).ConfigureAwait(false);
            }
            finally
            {
                EndStreamedJob(job, run, consumed && run.IsCompletedSuccessfully);
            }
        }
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
    public async IAsyncEnumerable<TResult> MapStreamAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        IAsyncEnumerable<TItem> items,
        MapOptions? options = null,
        Action<ItemFailure>? onFailure = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(items);
        options ??= new MapOptions();
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var (job, workers) = await StartStreamedJobAsync(kernel.Id, "map-stream", options).ConfigureAwait(false);

        var window = workers.Length * options.InFlightPerWorker * 2;
        var pacer = new ItemChunkPacer(options.ChunkSize, DefaultStreamChunkSize, options.TargetChunkDuration);
        await using var source = new StreamChunkSource<TItem>(items, pacer, window);
        var stats = new StatsCollector();
        var progress = new ProgressReporter(options.Progress, null, started, job);
        var pending = new Dictionary<long, ItemsChunkResult<TResult>>();
        var gate = new Lock();
        var ready = Channel.CreateUnbounded<bool>(); // a signal per finished chunk; the window bounds the data itself
        long completed = 0;

        using var deadline = new JobDeadline(options, cancellationToken);
        var run = ChunkDispatcher.RunAsync(Grains, workers, options, source, async (worker, chunk, jobId, token) =>
        {
            var result = await worker.ComputeItemsAsync<TItem, TResult>(jobId, kernel.Id, chunk.Items, token).ConfigureAwait(false);
            pacer.Completed(chunk.Items.Length, result.Worker.BusySeconds);
            stats.Add(result.Worker, (ulong)chunk.Items.Length);
            var done = Interlocked.Add(ref completed, result.Results.Length - result.Errors.Length);
            HandleErrors(chunk, result.Errors, onFailure, options.Errors, done);
            lock (gate)
            {
                pending[chunk.Sequence] = result;
            }

            progress.Add(chunk.Items.Length);
            ready.Writer.TryWrite(true);
        }, chunk => DescribeChunk(kernel.Id, chunk), stats, job, deadline.Token);
        _ = run.ContinueWith(t => ready.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        long nextSequence = 0;
        var finishedNormally = false;
        try
        {
            await foreach (var _ in ready.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                while (true)
                {
                    ItemsChunkResult<TResult>? result;
                    lock (gate)
                    {
                        if (!pending.Remove(nextSequence, out result))
                        {
                            break;
                        }
                    }

                    foreach (var r in result.Results)
                    {
                        yield return r;
                    }

                    nextSequence++;
                    source.Release(); // the window moves on: one more chunk may be read from the input
                }
            }

            await deadline.AwaitAsync(run, () => $"Stream map {kernel.Id} after {nextSequence} chunks").ConfigureAwait(false);
            finishedNormally = true;
        }
        finally
        {
            try
            {
                await StopAbandonedRunAsync(run, deadline, finishedNormally).ConfigureAwait(false);
            }
            finally
            {
                EndStreamedJob(job, run, finishedNormally);
            }
        }
    }

    /// <summary>
    /// ProcessPoolExecutor.submit: runs the kernel on one item on some worker. If that worker's silo fails or leaves,
    /// the item runs on the next worker (up to <see cref="JobOptions.MaxChunkRetries"/> times); cancelling stops it on
    /// its silo like any job. An item must finish within Orleans' response timeout (30 s by default).
    /// </summary>
    public async Task<TResult> SubmitAsync<TItem, TResult>(ItemKernel<TItem, TResult> kernel, TItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var job = JobMetrics.Start(kernel.Id, "submit");
        try
        {
            var options = new MapOptions { InFlightPerWorker = 1 };
            var workers = await WorkersAsync(options).ConfigureAwait(false);
            // Some worker, chosen at random; the dispatcher's first lane takes the one chunk, and a retry the next worker.
            var first = Random.Shared.Next(workers.Length);
            WorkerKey[] order = [.. workers[first..], .. workers[..first]];
            ItemsChunkResult<TResult>? result = null;
            await ChunkDispatcher.RunAsync(Grains, order, options, new ListChunkSource<TItem>([item], 1), async (worker, chunk, jobId, token) =>
            {
                result = await worker.ComputeItemsAsync<TItem, TResult>(jobId, kernel.Id, chunk.Items, token).ConfigureAwait(false);
            }, _ => $"Item {item} of {kernel.Id}", new StatsCollector(), job, cancellationToken).ConfigureAwait(false);

            if (result!.Errors.Length > 0)
            {
                var error = result.Errors[0];
                throw new ItemFailedException(new ItemFailure(0, item, error.ErrorType, error.Message), 0);
            }

            job.ItemsDone(1);
            job.Completed();
            return result.Results[0];
        }
        catch (Exception ex)
        {
            job.Ended(ex);
            throw;
        }
    }

    // A streamed job's metrics start before its workers are known; a failure to find them ends the job there.
    private async Task<(JobMetrics Job, WorkerKey[] Workers)> StartStreamedJobAsync(string kernel, string kind, JobOptions options)
    {
        var job = JobMetrics.Start(kernel, kind);
        try
        {
            return (job, await WorkersAsync(options).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            job.Ended(ex);
            throw;
        }
    }

    // A streamed job ends when its enumeration does: completed, failed with the run's error, or cancelled (including a
    // consumer that stopped reading early).
    private static void EndStreamedJob(JobMetrics job, Task run, bool finished)
    {
        if (finished)
        {
            job.Completed();
        }
        else if (run.IsFaulted && run.Exception?.GetBaseException() is { } error)
        {
            job.Ended(error);
        }
        else
        {
            job.Cancelled();
        }
    }

    // A consumer that stops enumerating early (break, exception) must not leave lanes blocked on a full channel.
    private static async Task StopAbandonedRunAsync(Task run, JobDeadline deadline, bool finished)
    {
        if (finished)
        {
            return;
        }

        await deadline.CancelAsync().ConfigureAwait(false);
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The consumer already has its own exception or chose to stop; the lanes' cancellation is expected here.
        }
    }

    // The workers a job uses, fresh from the cluster: silos that joined are used, silos that left are not.
    private async Task<WorkerKey[]> WorkersAsync(JobOptions options)
    {
        ClusterTopology topology;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                topology = await GetTopologyAsync().ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ChunkDispatcher.IsTransient(ex) && attempt < options.MaxChunkRetries)
            {
                // A gateway that just left: the next attempt goes through another one.
                await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1))).ConfigureAwait(false);
            }
        }

        var workers = topology.Workers();
        if (workers.Length == 0)
        {
            throw new InvalidOperationException("The cluster has no active silo with compute workers.");
        }

        return options.MaxWorkers is { } max && max < workers.Length ? workers[..max] : workers;
    }

    private static void CollectErrors<TItem>(ItemChunk<TItem> chunk, ItemError[] errors, List<ItemFailure> into, ItemErrorMode mode, long completed)
    {
        if (errors.Length == 0)
        {
            return;
        }

        lock (into)
        {
            foreach (var e in errors)
            {
                into.Add(ToFailure(chunk, e));
            }
        }

        if (mode == ItemErrorMode.FailFast)
        {
            throw new ItemFailedException(ToFailure(chunk, errors.MinBy(e => e.Position)!), completed);
        }
    }

    private static void HandleErrors<TItem>(ItemChunk<TItem> chunk, ItemError[] errors, Action<ItemFailure>? onFailure, ItemErrorMode mode, long completed)
    {
        if (errors.Length == 0)
        {
            return;
        }

        if (mode == ItemErrorMode.FailFast)
        {
            throw new ItemFailedException(ToFailure(chunk, errors.MinBy(e => e.Position)!), completed);
        }

        foreach (var e in errors)
        {
            onFailure?.Invoke(ToFailure(chunk, e));
        }
    }

    private static ItemFailure ToFailure<TItem>(ItemChunk<TItem> chunk, ItemError error) =>
        new(chunk.Start + error.Position, chunk.Items[error.Position], error.ErrorType, error.Message);

    // A list map's chunks: the caller's fixed size, or paced up to the Pool.map-like count rule (about 4 per worker).
    private static ItemChunkPacer MapPacer(MapOptions options, int count, int workers) =>
        new(options.ChunkSize, ChunkPolicy.MaxListChunk(count, workers), options.TargetChunkDuration, workers * options.InFlightPerWorker);

    // A map chunk as a failure names it: the kernel, the items' indices in the input and the first item's value.
    private static string DescribeChunk<TItem>(string kernel, ItemChunk<TItem> chunk) =>
        $"Chunk {kernel} items {chunk.Start} to {chunk.Start + chunk.Items.Length - 1} (first value {chunk.Items[0]})";

    private static async IAsyncEnumerable<TItem> ToAsync<TItem>(IEnumerable<TItem> items)
    {
        foreach (var item in items)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
