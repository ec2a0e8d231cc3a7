using GrainPool.Abstractions;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;

namespace GrainPool.Client;

/// <summary>A source of chunks that many lanes pull from concurrently; null means no more work.</summary>
internal interface IChunkSource<TChunk> where TChunk : class
{
    ValueTask<TChunk?> NextAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs a job's chunks on the cluster's worker slots: slots x in-flight lanes, each pulling the next chunk when its
/// previous one returns, so fast workers take more chunks (pull scheduling) and every worker always has its next
/// chunk queued behind the running one. A chunk whose silo fails is retried on another slot; its result is
/// delivered exactly once (only a call that returned delivers); one that fails on every attempt
/// <see cref="JobOptions.MaxChunkRetries"/> allows ends the job with <see cref="ChunkRetriesExhaustedException"/>. Every chunk carries the job's id: when the job is
/// cancelled (by the caller, its timeout, or its first failure) each silo of the job is told once through its
/// <see cref="IJobControlGrain"/>, which stops the job's running chunks at their next slice and refuses its queued ones.
/// </summary>
internal static partial class ChunkDispatcher
{
    public static async Task RunAsync<TChunk>(
        IGrainFactory grains,
        Func<WorkerKey, IGrainFactory> workerGrains,
        WorkerKey[] workers,
        JobOptions options,
        IChunkSource<TChunk> source,
        Func<IComputeWorkerGrain, TChunk, Guid, IDisposable, CancellationToken, Task> execute,
        Func<TChunk, string> describe,
        StatsCollector stats,
        JobMetrics job,
        ILogger logger,
        Guid jobId,
        CancellationToken cancellationToken,
        WorkerGates? gates = null)
        where TChunk : class
    {
        async Task Measured(IComputeWorkerGrain worker, TChunk chunk, IDisposable place, CancellationToken token)
        {
            job.ChunkSent();
            try
            {
                await execute(worker, chunk, jobId, place, token).ConfigureAwait(false);
            }
            finally
            {
                job.ChunkReturned();
            }
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var cancelOnSilos = CancelOnSilosWhenCancelled(grains, jobId, workers, failed.Token);
        var lanes = new List<Task>(workers.Length * options.InFlightPerWorker);
        // Lane j uses worker j % workers, so the first round gives every worker one chunk before any gets a second.
        for (var lane = 0; lane < workers.Length * options.InFlightPerWorker; lane++)
        {
            lanes.Add(RunLaneAsync(workerGrains, gates, lane % workers.Length, workers, options.MaxChunkRetries, source, Measured, describe, stats, logger, jobId, failed));
        }

        await Task.WhenAll(lanes).ConfigureAwait(false);
    }

    private static async Task RunLaneAsync<TChunk>(
        Func<WorkerKey, IGrainFactory> workerGrains,
        WorkerGates? gates,
        int slot,
        WorkerKey[] workers,
        int maxRetries,
        IChunkSource<TChunk> source,
        Func<IComputeWorkerGrain, TChunk, IDisposable, CancellationToken, Task> execute,
        Func<TChunk, string> describe,
        StatsCollector stats,
        ILogger logger,
        Guid jobId,
        CancellationTokenSource failed)
        where TChunk : class
    {
        var token = failed.Token;
        try
        {
            while (await source.NextAsync(token).ConfigureAwait(false) is { } chunk)
            {
                var silos = new List<string>(1);
                for (var attempt = 0; ; attempt++)
                {
                    token.ThrowIfCancellationRequested();
                    // A retry goes to the next worker in the interleaved list, which is on another silo when there is one.
                    var key = workers[(slot + attempt) % workers.Length];
                    var worker = workerGrains(key).GetGrain<IComputeWorkerGrain>(key.Core, key.Silo);
                    silos.Add(key.Silo);
                    try
                    {
                        // The client's place at the worker, shared with its other jobs (WorkerGates): the job gives
                        // it back when the worker's call returns, or here when the call fails.
                        using (var place = gates is null ? WorkerGates.Place.None : await gates.EnterAsync(key, token).ConfigureAwait(false))
                        {
                            await execute(worker, chunk, place, token).ConfigureAwait(false);
                        }

                        break;
                    }
                    catch (Exception ex) when (IsTransient(ex) && attempt < maxRetries && !token.IsCancellationRequested)
                    {
                        stats.Retried();
                        LogSiloLost(logger, key.Silo, jobId, ex.GetType().Name, ex.Message);
                        LogChunkRetriedElsewhere(logger, describe(chunk), jobId, key.Silo, workers[(slot + attempt + 1) % workers.Length].Silo, attempt + 1, maxRetries);
                        await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1)), token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsTransient(ex) && !token.IsCancellationRequested)
                    {
                        LogSiloLost(logger, key.Silo, jobId, ex.GetType().Name, ex.Message);
                        throw new ChunkRetriesExhaustedException(describe(chunk), maxRetries, silos, ex);
                    }
                    catch (Exception ex) when (IsTransient(ex))
                    {
                        // The job is already stopping (cancelled, timed out, or failed in another lane): this chunk's lost
                        // silo is part of that stop, and must not replace the job's own error (Task.WhenAll reports faults
                        // in lane order, not in the order they happened).
                        throw new OperationCanceledException($"{describe(chunk)} was stopped with its job.", ex, token);
                    }
                }
            }
        }
        catch
        {
            // First failure stops the other lanes at once: queued chunks are not started, running ones see the token.
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Once <paramref name="token"/> is cancelled, tells every silo among <paramref name="workers"/> to stop
    /// <paramref name="job"/> (one-way calls, sent at once from the cancelling thread). Dispose when the job has ended.
    /// </summary>
    internal static CancellationTokenRegistration CancelOnSilosWhenCancelled(IGrainFactory grains, Guid job, IEnumerable<WorkerKey> workers, CancellationToken token)
    {
        var silos = workers.Select(w => w.Silo).Distinct(StringComparer.Ordinal).ToArray();
        return token.UnsafeRegister(_ =>
        {
            foreach (var silo in silos)
            {
                // One-way: nothing to wait for. A silo that has left needs no cancelling. Nothing may escape: this runs
                // inside the caller's Cancel() (or a timeout's timer), and the calls' own cancellation still applies.
                try
                {
                    grains.GetGrain<IJobControlGrain>(0, silo).CancelJobAsync(job).Ignore();
                }
#pragma warning disable CA1031 // a best-effort signal: any failure leaves the calls' own cancellation in charge
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }, null);
    }

    /// <summary>Failures of a silo or of the transport, after which the same chunk can run elsewhere.</summary>
    internal static bool IsTransient(Exception ex) =>
        ex is SiloUnavailableException or TimeoutException or OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException;
}
