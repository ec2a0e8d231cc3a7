using System.Diagnostics;
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
        Func<WorkerKey, IGrainFactory?> routeTo,
        WorkerKey[] workers,
        JobOptions options,
        IChunkSource<TChunk> source,
        Func<IComputeWorkerGrain, TChunk, Guid, ChunkCall, Task> execute,
        Func<TChunk, string> describe,
        StatsCollector stats,
        JobMetrics job,
        ILogger logger,
        Guid jobId,
        CancellationToken cancellationToken,
        WorkerGates? gates = null,
        SiloWatch? watch = null)
        where TChunk : class
    {
        async Task Measured(IComputeWorkerGrain worker, TChunk chunk, ChunkCall call)
        {
            job.ChunkSent();
            try
            {
                await execute(worker, chunk, jobId, call).ConfigureAwait(false);
            }
            finally
            {
                job.ChunkReturned();
            }
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var jobWorkers = new JobWorkers(workers, options.MaxWorkers);
        var run = new Run<TChunk>(grains, routeTo, gates, watch, jobWorkers, options.MaxChunkRetries, source, Measured, describe, stats, logger, jobId, failed);
        using var cancelOnSilos = CancelOnSilosWhenCancelled(grains, jobId, jobWorkers.Silos, failed.Token);
        var lanes = new List<Task>(workers.Length * options.InFlightPerWorker);
        // Lane j uses worker j % workers, so the first round gives every worker one chunk before any gets a second.
        for (var lane = 0; lane < workers.Length * options.InFlightPerWorker; lane++)
        {
            lanes.Add(run.LaneAsync(lane % workers.Length));
        }

        // Silos that join while the job runs get lanes of their own for each of their workers; none once the job is
        // ending (a membership read may still be on its way when the lanes are done).
        var ending = false;
        using (watch?.Watch(topology =>
        {
            lock (lanes)
            {
                if (ending || failed.IsCancellationRequested)
                {
                    return;
                }

                foreach (var home in jobWorkers.Add(topology.Workers().Where(w => watch.IsUsable(w.Silo))))
                {
                    for (var i = 0; i < options.InFlightPerWorker; i++)
                    {
                        lanes.Add(run.LaneAsync(home));
                    }
                }
            }
        }))
        {
            while (true)
            {
                Task[] running;
                lock (lanes)
                {
                    running = [.. lanes];
                }

                try
                {
                    await Task.WhenAll(running).ConfigureAwait(false);
                }
                catch
                {
                    // A failure stops every lane (they see the cancelled token); wait for those added meanwhile too.
                    lock (lanes)
                    {
                        ending = true;
                        running = [.. lanes];
                    }

                    await Task.WhenAll(running.Select(l => l.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))).ConfigureAwait(false);
                    throw;
                }

                lock (lanes)
                {
                    if (lanes.Count == running.Length)
                    {
                        ending = true;
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Once <paramref name="token"/> is cancelled, tells every silo among <paramref name="workers"/> to stop
    /// <paramref name="job"/> (one-way calls, sent at once from the cancelling thread). Dispose when the job has ended.
    /// </summary>
    internal static CancellationTokenRegistration CancelOnSilosWhenCancelled(IGrainFactory grains, Guid job, IEnumerable<WorkerKey> workers, CancellationToken token) =>
        CancelOnSilosWhenCancelled(grains, job, () => workers.Select(w => w.Silo).Distinct(StringComparer.Ordinal).ToArray(), token);

    // The silos are read when the token is cancelled: a job's silos include those that joined while it ran.
    private static CancellationTokenRegistration CancelOnSilosWhenCancelled(IGrainFactory grains, Guid job, Func<string[]> silos, CancellationToken token)
    {
        return token.UnsafeRegister(_ =>
        {
            foreach (var silo in silos())
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

    /// <summary>
    /// Transient failures that can lie on the way to a silo rather than in it (a gateway, a message's addressing): not a
    /// response timeout, which a silo too busy to answer in time gives, nor a refusal of a gateway that is too busy.
    /// </summary>
    internal static bool IsPathFailure(Exception ex) =>
        ex is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException;

    /// <summary>
    /// One job's lanes: each pulls the next chunk and runs it on its home worker, or, when that worker's silo is not
    /// usable (<see cref="SiloWatch"/>), on the next usable one. A chunk whose call fails, or is interrupted because its
    /// silo was found gone, runs again elsewhere; one interrupted only because it went through the main client (whose
    /// gateway may have been the lost silo) runs again without counting as a failure of its silo.
    /// </summary>
    private sealed class Run<TChunk>(
        IGrainFactory grains,
        Func<WorkerKey, IGrainFactory?> routeTo,
        WorkerGates? gates,
        SiloWatch? watch,
        JobWorkers workers,
        int maxRetries,
        IChunkSource<TChunk> source,
        Func<IComputeWorkerGrain, TChunk, ChunkCall, Task> execute,
        Func<TChunk, string> describe,
        StatsCollector stats,
        ILogger logger,
        Guid jobId,
        CancellationTokenSource failed)
        where TChunk : class
    {
        public async Task LaneAsync(int home)
        {
            var token = failed.Token;
            try
            {
                while (await source.NextAsync(token).ConfigureAwait(false) is { } chunk)
                {
                    await RunChunkAsync(home, chunk, token).ConfigureAwait(false);
                }
            }
            catch
            {
                // First failure stops the other lanes at once: queued chunks are not started, running ones see the token.
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        private async Task RunChunkAsync(int home, TChunk chunk, CancellationToken token)
        {
            var silos = new List<string>(1);
            long? firstPathFailure = null;
            for (var attempt = 0; ;)
            {
                token.ThrowIfCancellationRequested();
                // A retry goes to the next usable worker, which is on another silo when there is one.
                var key = await PickAsync(home, attempt, token).ConfigureAwait(false);
                var route = routeTo(key);
                var worker = (route ?? grains).GetGrain<IComputeWorkerGrain>(key.Core, key.Silo);
                Exception? failure = null;
                Task<bool>? answers = null;

                // The client's place at the worker, shared with its other jobs (WorkerGates): the job gives it back when
                // the worker's call returns, or here when the call fails.
                using (var place = gates is null ? WorkerGates.Place.None : await gates.EnterAsync(key, token).ConfigureAwait(false))
                {
                    if (watch is not null && !watch.IsUsable(key.Silo) && workers.AnyUsable(watch))
                    {
                        continue; // its silo was found gone while this waited for a place: pick again
                    }

                    using var call = new ChunkCall(place, watch?.Enter(key.Silo, viaMain: route is null, token), token);
                    try
                    {
                        await execute(worker, chunk, call).ConfigureAwait(false);
                        return;
                    }
                    catch (OperationCanceledException ex) when (call.Interrupted)
                    {
                        if (watch!.IsUsable(key.Silo))
                        {
                            // Its own silo is fine: the call went through a gateway that was lost. Not this silo's failure.
                            LogChunkInterrupted(logger, describe(chunk), jobId, key.Silo);
                            continue;
                        }

                        failure = new SiloUnavailableException($"Silo {key.Silo} was found gone while it ran the chunk.", ex);
                    }
                    // Only the call's own failures are retried: once it has returned, its results may be handed on in
                    // part, and whatever fails after that (a consumer's callback, a user combine) fails the job as it is.
                    catch (Exception ex) when (IsTransient(ex) && !call.HasReturned && !token.IsCancellationRequested)
                    {
                        answers = watch?.Failed(key.Silo, ex);
                        failure = ex;
                    }
                    catch (Exception ex) when (IsTransient(ex) && !call.HasReturned)
                    {
                        // The job is already stopping (cancelled, timed out, or failed in another lane): this chunk's lost
                        // silo is part of that stop, and must not replace the job's own error (Task.WhenAll reports faults
                        // in lane order, not in the order they happened).
                        throw new OperationCanceledException($"{describe(chunk)} was stopped with its job.", ex, token);
                    }
                }

                // The next worker is picked once the silo has been asked whether it is there. If it answers, the call
                // failed on the way to it while the cluster changed (through a gateway that died, or on a directory
                // entry held by a silo that died and is not yet declared dead): not the silo's failure, nor a retry,
                // while that lasts no longer than membership takes to settle (PathPatience).
                if (answers is not null && await answers.WaitAsync(token).ConfigureAwait(false) && IsPathFailure(failure))
                {
                    firstPathFailure ??= Stopwatch.GetTimestamp();
                    if (Stopwatch.GetElapsedTime(firstPathFailure.Value) < PathPatience)
                    {
                        LogChunkRerunAfterPathFailure(logger, describe(chunk), jobId, key.Silo, failure.GetType().Name, failure.Message);
                        await Task.Delay(PathRetryDelay, token).ConfigureAwait(false);
                        continue;
                    }
                }

                silos.Add(key.Silo);
                LogSiloLost(logger, key.Silo, jobId, failure.GetType().Name, failure.Message);
                if (attempt >= maxRetries)
                {
                    throw new ChunkRetriesExhaustedException(describe(chunk), maxRetries, silos, failure);
                }

                attempt++;
                stats.Retried();
                LogChunkRetriedElsewhere(logger, describe(chunk), jobId, key.Silo, workers.Pick(home, attempt, watch).Silo, attempt, maxRetries);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), token).ConfigureAwait(false);
            }
        }

        // The worker for this attempt: the next usable one. While none is (each silo of the job failed a call moments
        // ago, or was found gone), the lane waits for one rather than send the chunk where it would fail: a suspect silo
        // that answers its ping is usable again at once, and one that does not is suspect for SuspectFor only. Once
        // every silo of the job is dead for good, or none has become usable in that time, it tries the worker in turn,
        // whose failure counts.
        private async Task<WorkerKey> PickAsync(int home, int attempt, CancellationToken token)
        {
            if (watch is not null && !workers.AnyUsable(watch))
            {
                var waited = Stopwatch.StartNew();
                while (!workers.AnyUsable(watch) && !workers.AllDead(watch) && waited.Elapsed < SiloWatch.SuspectFor + SiloWatch.AnswerTimeout)
                {
                    await Task.Delay(SiloWatch.PollInterval / 5, token).ConfigureAwait(false);
                }
            }

            return workers.Pick(home, attempt, watch);
        }
    }

    /// <summary>
    /// How long after a chunk's first failure on the way to a silo that still answers (see RunChunkAsync) such failures
    /// are taken for the cluster's change rather than counted as retries: longer than membership takes to declare a
    /// silo dead with its default settings (a few seconds), short enough that a path that stays broken ends the job.
    /// </summary>
    internal static readonly TimeSpan PathPatience = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan PathRetryDelay = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// One attempt of a chunk on a worker, as a job kind runs it: <see cref="CallToken"/> for the worker's call (the job's
/// stop, or the silo found gone), <see cref="JobToken"/> for what follows (handing the results on, which an interruption
/// must not cut short once the call has returned), and <see cref="Returned"/> as soon as the call has returned.
/// </summary>
internal sealed class ChunkCall(IDisposable place, SiloWatch.Call? watched, CancellationToken job) : IDisposable
{
    /// <summary>For the worker's call.</summary>
    public CancellationToken CallToken => watched?.Token ?? job;

    /// <summary>For what the job does with the call's result.</summary>
    public CancellationToken JobToken => job;

    private int _returned;

    /// <summary>Whether the watch, not the job, cancelled the call (before it returned).</summary>
    public bool Interrupted => !HasReturned && watched is { } w && w.Token.IsCancellationRequested && !job.IsCancellationRequested;

    /// <summary>Whether the worker's call returned (<see cref="Returned"/> was called after a result came back).</summary>
    public bool HasReturned => Volatile.Read(ref _returned) != 0;

    /// <summary>
    /// The worker's call returned: the client's place at the worker is free for its other calls while the results are
    /// handed on (<see cref="WorkerGates"/>), and the silo has answered (<see cref="SiloWatch"/>).
    /// </summary>
    public void Returned()
    {
        Volatile.Write(ref _returned, 1);
        End();
    }

    /// <inheritdoc />
    public void Dispose() => End();

    private void End()
    {
        place.Dispose();
        watched?.Dispose();
    }
}

/// <summary>
/// The workers of one job, in the order its lanes take them: those it started with, then those of silos that joined
/// while it ran (up to <see cref="JobOptions.MaxWorkers"/>).
/// </summary>
internal sealed class JobWorkers(WorkerKey[] initial, int? max)
{
    private readonly Lock _gate = new();
    private readonly HashSet<WorkerKey> _known = [.. initial];
    private WorkerKey[] _workers = initial;

    /// <summary>Adds the workers of <paramref name="current"/> the job does not have yet; returns their positions.</summary>
    public List<int> Add(IEnumerable<WorkerKey> current)
    {
        var added = new List<int>();
        lock (_gate)
        {
            foreach (var worker in current)
            {
                if ((max is null || _workers.Length < max) && _known.Add(worker))
                {
                    added.Add(_workers.Length);
                    _workers = [.. _workers, worker];
                }
            }
        }

        return added;
    }

    /// <summary>The job's silos now.</summary>
    public string[] Silos() => [.. Volatile.Read(ref _workers).Select(w => w.Silo).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The worker for attempt <paramref name="attempt"/> of a lane whose own worker is at <paramref name="home"/>: the
    /// first usable one from position home + attempt on; when none is usable (or nothing is watched), the one at that position.
    /// </summary>
    public WorkerKey Pick(int home, int attempt, SiloWatch? watch)
    {
        var all = Volatile.Read(ref _workers);
        if (watch is not null)
        {
            for (var i = 0; i < all.Length; i++)
            {
                var worker = all[(home + attempt + i) % all.Length];
                if (watch.IsUsable(worker.Silo))
                {
                    return worker;
                }
            }
        }

        return all[(home + attempt) % all.Length];
    }

    /// <summary>Whether any of the job's workers is usable.</summary>
    public bool AnyUsable(SiloWatch watch) => Volatile.Read(ref _workers).Any(w => watch.IsUsable(w.Silo));

    /// <summary>Whether every silo of the job has been declared dead.</summary>
    public bool AllDead(SiloWatch watch) => Volatile.Read(ref _workers).All(w => watch.IsDead(w.Silo));
}
