using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using GrainPool.Abstractions;

namespace GrainPool.Client;

/// <summary>
/// Caps the calls one client has waiting or running at each worker, over all its jobs at once. A worker grain runs one
/// chunk at a time and Orleans queues the others at the activation, where each new message scans the whole queue
/// (ActivationData.ProcessPendingRequests): with hundreds of small jobs at once (is-prime calls under open load) that
/// cost grew with the square of the queue, and a 2-core embedded cluster's throughput fell from about 2,900 calls per
/// second with 8 at once to 1,100 with 512 (docs/benchmarks.md, "Load tests"). Calls beyond the cap wait here, in
/// arrival order, at no cost to the silo. The gates belong to the Orleans client (<see cref="For"/>), so every
/// <see cref="GrainPoolClient"/> made over it shares them, however many a program makes.
/// </summary>
internal sealed class WorkerGates
{
    private static readonly ConditionalWeakTable<IGrainFactory, WorkerGates> Shared = [];

    /// <summary>
    /// Calls one client may have at one worker: twice a job's default <see cref="JobOptions.InFlightPerWorker"/>, so one
    /// job alone is never held back and the next chunk is always queued behind the running one.
    /// </summary>
    public const int CallsPerWorker = 4;

    private readonly ConcurrentDictionary<WorkerKey, SemaphoreSlim> _gates = new();

    /// <summary>The gates of the Orleans client <paramref name="grains"/>, made on first use.</summary>
    public static WorkerGates For(IGrainFactory grains) => Shared.GetValue(grains, static _ => new WorkerGates());

    /// <summary>
    /// Waits for a place at <paramref name="worker"/>; disposing the result gives it back (once, however often it is
    /// disposed). The caller gives it back as soon as the worker's call returns, before it hands the results on: a
    /// consumer that reads slowly must not hold places other jobs wait for.
    /// </summary>
    public async ValueTask<Place> EnterAsync(WorkerKey worker, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(worker, static _ => new SemaphoreSlim(CallsPerWorker, CallsPerWorker));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Place(gate);
    }

    /// <summary>How many places at <paramref name="worker"/> are taken now (for tests).</summary>
    internal int Taken(WorkerKey worker) => _gates.TryGetValue(worker, out var gate) ? CallsPerWorker - gate.CurrentCount : 0;

    /// <summary>A place at a worker, given back the first time it is disposed.</summary>
    public sealed class Place(SemaphoreSlim? gate) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;

        /// <summary>No place: for a job without gates.</summary>
        public static Place None { get; } = new(null);

        /// <inheritdoc />
        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
