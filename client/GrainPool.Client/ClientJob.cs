using System.Diagnostics;
using GrainPool.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainPool.Client;

/// <summary>
/// The one skeleton every job of <see cref="GrainPoolClient"/> runs through: it starts the job's metrics, finds the
/// workers, links the caller's token with the job's <see cref="JobOptions.Timeout"/>, runs the chunks through
/// <see cref="ChunkDispatcher"/> (pull scheduling, retries of chunks whose silo failed, cancellation on the silos),
/// turns a stop by the timeout into <see cref="JobTimeoutException"/>, and records one outcome (metrics and log) for
/// every way a job ends. A job kind supplies only its chunks (<see cref="CreateSource"/>, which owns pacing), what a
/// chunk does (<see cref="ExecuteAsync"/>) and how it names itself; a job object runs once.
/// </summary>
internal abstract partial class ClientJob<TChunk>(IGrainFactory grains, ILogger logger, string kernel, string kind, JobOptions options)
    where TChunk : class
{
    // How long a job keeps asking for the cluster's topology while gateways fail (a silo that crashed a moment ago is
    // still listed as one until membership declares it dead).
    private static readonly TimeSpan StartupPatience = TimeSpan.FromSeconds(15);

    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Guid _id = Guid.NewGuid();
    private JobMetrics? _metrics;
    private JobDeadline? _deadline;
    private Task? _run;
    private Exception? _error;

    /// <summary>What the finished chunks' workers report, for the job's <see cref="JobStats"/>.</summary>
    protected StatsCollector Stats { get; } = new();

    /// <summary>Where chunks for each silo go straight to that silo's gateway; null: every chunk through the main client.</summary>
    public SiloRoutes? Routes { get; init; }

    /// <summary>The client's cap on calls waiting or running at each worker, over all its jobs; none when null.</summary>
    public WorkerGates? Gates { get; init; }

    /// <summary>What the client knows of its silos' liveness (lost silos, joined silos); none when null.</summary>
    public SiloWatch? Watch { get; init; }

    /// <summary>Progress to the caller and items to the metrics; exists once the job has started.</summary>
    protected ProgressReporter Progress { get; private set; } = null!;

    /// <summary>Wall time since the job was created (its call).</summary>
    protected TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>
    /// The largest message body the client may send (Orleans' <see cref="MessagingOptions.MaxMessageBodySize"/> of an
    /// <see cref="IClusterClient"/>; a silo's own grain factory keeps Orleans' default, which silos use too unless set).
    /// </summary>
    protected int MessageLimit =>
        (grains as IClusterClient)?.ServiceProvider.GetService<IOptions<ClientMessagingOptions>>()?.Value.MaxMessageBodySize
        ?? new ClientMessagingOptions().MaxMessageBodySize;

    /// <summary>Units (numbers of a range, items) the job covers, when known: the progress total.</summary>
    protected virtual long? TotalUnits => null;

    /// <summary>
    /// The job's chunks for <paramref name="lanes"/> lanes (workers x in flight) on <paramref name="workers"/> workers:
    /// the one place the job's chunk sizes are chosen.
    /// </summary>
    protected abstract IChunkSource<TChunk> CreateSource(int workers, int lanes);

    /// <summary>
    /// Runs one chunk on <paramref name="worker"/> with <see cref="ChunkCall.CallToken"/> and takes in its result; throws
    /// to fail the job. Calls <see cref="ChunkCall.Returned"/> as soon as the worker's call returns, before handing the
    /// results on (with <see cref="ChunkCall.JobToken"/>).
    /// </summary>
    protected abstract Task ExecuteAsync(IComputeWorkerGrain worker, TChunk chunk, Guid jobId, ChunkCall call);

    /// <summary>A chunk as failures name it.</summary>
    protected abstract string DescribeChunk(TChunk chunk);

    /// <summary>The job as its timeout names it (the kernel and what it runs over).</summary>
    protected abstract string Describe();

    /// <summary>
    /// The order in which lanes take the workers (lane j takes worker j mod n; a retry the next one): the cluster's
    /// order, started at a random worker, so that many small jobs at once (one-item maps, short ranges) spread over
    /// every worker instead of all starting at the first one. A job with a chunk for every worker uses them all either way.
    /// </summary>
    protected virtual WorkerKey[] OrderWorkers(WorkerKey[] workers)
    {
        var first = Random.Shared.Next(workers.Length);
        return [.. workers[first..], .. workers[..first]];
    }

    /// <summary>
    /// Runs the job to its end and returns what <paramref name="complete"/> makes of it (called once every chunk is in;
    /// an exception it throws is the job's failure).
    /// </summary>
    protected async Task<T> RunAsync<T>(Func<T> complete, CancellationToken cancellationToken)
    {
        try
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
            await AwaitRunAsync().ConfigureAwait(false);
            var result = complete();
            Finish(null);
            return result;
        }
        catch (Exception ex)
        {
            Finish(ex);
            throw;
        }
        finally
        {
            _deadline?.Dispose();
        }
    }

    /// <summary>
    /// Starts a job whose results are consumed as they come (an async stream). The stream then awaits
    /// <see cref="AwaitRunAsync"/> after its last result, and calls <see cref="EndStreamAsync"/> in its <c>finally</c>
    /// whichever way it ends. A failure to start is recorded here.
    /// </summary>
    protected async Task StartStreamAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Finish(ex);
            _deadline?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Called once any chunk may have finished with the run's end: <paramref name="onEnd"/> runs when the run has
    /// ended, with its failure (null when it completed or was cancelled), so a stream can complete its channel.
    /// </summary>
    protected void WhenRunEnds(Action<Exception?> onEnd) =>
        _ = _run!.ContinueWith(t => onEnd(t.Exception?.GetBaseException()), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Awaits the run: its failure as it is, a stop by the timeout alone as <see cref="JobTimeoutException"/>.</summary>
    protected async Task AwaitRunAsync()
    {
        try
        {
            await _deadline!.AwaitAsync(_run!, Describe).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _error = ex;
            throw;
        }
    }

    /// <summary>
    /// Ends a streamed job: one that did not finish (the consumer stopped early or failed, the caller cancelled, the run
    /// failed or timed out) has its chunks stopped, and its outcome is recorded as any other job's:
    /// the run's failure, <see cref="JobTimeoutException"/> when the timeout stopped it, else cancelled.
    /// </summary>
    protected async ValueTask EndStreamAsync(bool finished)
    {
        try
        {
            if (!finished && _run is { } run)
            {
                // A consumer that stops early must not leave lanes blocked on a full channel or window.
                await _deadline!.CancelAsync().ConfigureAwait(false);
                try
                {
                    await run.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // the consumer already has its own exception or chose to stop; the run's end is recorded below
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }

            Finish(finished ? null : _error ?? StreamEndError());
        }
        finally
        {
            _deadline?.Dispose();
        }
    }

    private Exception StreamEndError() =>
        _run is { IsFaulted: true, Exception: { } failure } ? failure.GetBaseException()
        : _deadline is { TimedOut: true } deadline ? deadline.TimeoutError(Describe)
        : new OperationCanceledException($"{Describe()} was stopped before its end.");

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _metrics = JobMetrics.Start(kernel, kind);
        Progress = new ProgressReporter(options.Progress, TotalUnits, _started, _metrics);
        Routes?.Prepare(); // the first job connects to the silos while it reads the topology
        var workers = OrderWorkers(await WorkersAsync().ConfigureAwait(false));
        var source = CreateSource(workers.Length, workers.Length * options.InFlightPerWorker);
        _deadline = new JobDeadline(options, cancellationToken);
        _run = ChunkDispatcher.RunAsync(grains, key => Routes?.GrainsFor(key.Silo), workers, options, source, ExecuteAsync, DescribeChunk, Stats, _metrics, logger, _id, _deadline.Token, Gates, Watch);
    }

    // The workers a job uses, fresh from the cluster: silos that joined are used, silos that left are not.
    private async Task<WorkerKey[]> WorkersAsync()
    {
        ClusterTopology topology;
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                // A gateway that died a moment ago may hold the call until Orleans' response timeout: ask again sooner.
                // Each attempt asks under another key, which the client sends through another gateway (it picks the
                // gateway of a call from the grain's id).
                topology = await GrainCall.WithinAsync(grains.GetGrain<IClusterInfoGrain>(attempt).GetTopologyAsync, SiloWatch.AnswerTimeout).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ChunkDispatcher.IsTransient(ex) && Stopwatch.GetElapsedTime(started) < StartupPatience)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * (attempt + 1), 1_000))).ConfigureAwait(false);
            }
        }

        Watch?.Apply(topology);
        var workers = topology.Workers();
        if (workers.Length == 0)
        {
            throw new InvalidOperationException("The cluster has no active silo with compute workers.");
        }

        return options.MaxWorkers is { } max && max < workers.Length ? workers[..max] : workers;
    }

    // One outcome per job, the same for every kind: metrics and one log line.
    private void Finish(Exception? error)
    {
        var metrics = _metrics ??= JobMetrics.Start(kernel, kind);
        var elapsed = Elapsed.TotalSeconds;
        switch (error)
        {
            case null:
                metrics.Completed();
                LogJobFinished(logger, kind, kernel, _id, elapsed, Stats.Chunks);
                break;
            case JobTimeoutException timeout:
                metrics.Ended(timeout);
                LogJobTimedOut(logger, kind, kernel, _id, elapsed, options.Timeout);
                break;
            case OperationCanceledException:
                metrics.Ended(error);
                LogJobCancelled(logger, kind, kernel, _id, elapsed);
                break;
            default:
                metrics.Ended(error);
                LogJobFailed(logger, error, kind, kernel, _id, elapsed, error.GetType().Name);
                break;
        }
    }
}
