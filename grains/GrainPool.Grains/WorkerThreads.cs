using System.Diagnostics;

namespace GrainPool.Grains;

/// <summary>
/// One dedicated thread per worker slot of this silo: a worker's chunk computes there, and the worker's Orleans turn
/// only awaits it. Kernels are CPU-bound for the whole chunk; run on the .NET thread pool, a silo's workers held as
/// many pool threads as it has cores, and everything else on the pool (Orleans messaging, cancellations, the client in
/// the same process) waited for the pool's slow thread injection: a cancellation was measured arriving 3 s late on
/// 2 cores. On their own threads the kernels compete for CPU only, never for the pool.
/// </summary>
/// <param name="slots">The silo's worker slots (its advertised cores): slots 0 .. slots - 1 get a thread each.</param>
public sealed class WorkerThreads(int slots) : IDisposable
{
    /// <summary>
    /// How long a chunk may go on computing after it was told to stop (its call or job cancelled, the silo stopping)
    /// before its slot's thread is given up to it: a kernel that never returns and never reaches a slice boundary
    /// (a user kernel stuck in a loop) would otherwise hold the worker for good.
    /// </summary>
    public static readonly TimeSpan StuckGrace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StuckCheck = TimeSpan.FromMilliseconds(500);
    private int _abandoned;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, SlotThread> _threads = [];
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    /// <summary>
    /// Cancelled when the silo begins to stop (<see cref="BeginStopping"/>) or disposes its services: chunks still
    /// computing stop at their next slice and are handed back to their callers, to run on another silo.
    /// </summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// The silo is leaving: stops the chunks computing here at their next slice and refuses new ones, each handed back
    /// to its caller (<see cref="Orleans.Runtime.SiloUnavailableException"/>), which reruns it on a worker of another silo.
    /// Called at the start of the silo's stop, so a leaving silo costs its jobs at most a slice, not a whole chunk.
    /// </summary>
    public void BeginStopping()
    {
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed already: Dispose cancelled it first.
        }
    }

    /// <summary>Threads started so far (one per slot that has run a chunk).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _threads.Count;
            }
        }
    }

    /// <summary>Threads given up to kernels that did not stop (see <see cref="StuckGrace"/>).</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>
    /// Runs <paramref name="work"/> on slot <paramref name="slot"/>'s thread and awaits it. Once
    /// <paramref name="stopRequested"/> says the work should stop and it has not returned <see cref="StuckGrace"/> later,
    /// the slot gets a new thread for the work that follows, the old one is left to the stuck work (a background thread,
    /// which ends if the work ever returns), and this throws <see cref="SlotAbandonedException"/>.
    /// </summary>
    public async Task<T> RunAsync<T>(long slot, Func<T> work, Func<bool> stopRequested)
    {
        ArgumentNullException.ThrowIfNull(stopRequested);
        var (task, thread) = Post(slot, work);
        long? stopSeen = null;
        while (true)
        {
            try
            {
                return await task.WaitAsync(StuckCheck).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                if (task.IsCompleted)
                {
                    return await task.ConfigureAwait(false); // it finished as the wait timed out
                }

                if (!stopRequested())
                {
                    stopSeen = null;
                    continue;
                }

                stopSeen ??= Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(stopSeen.Value) >= StuckGrace)
                {
                    Abandon(slot, thread);
                    throw new SlotAbandonedException(slot, StuckGrace);
                }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on slot <paramref name="slot"/>'s thread, after any work queued there before it.</summary>
    public Task<T> RunAsync<T>(long slot, Func<T> work) => Post(slot, work).Task;

    private (Task<T> Task, SlotThread Thread) Post<T>(long slot, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, slots);
        var item = new WorkItem<T>(work);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_threads.TryGetValue(slot, out var thread))
            {
                _threads[slot] = thread = new SlotThread(slot);
            }

            thread.Post(item);
            return (item.Task, thread);
        }
    }

    // The slot's next work goes to a new thread; the old one ends once its stuck work returns, if ever.
    private void Abandon(long slot, SlotThread thread)
    {
        lock (_gate)
        {
            if (_threads.TryGetValue(slot, out var current) && current == thread)
            {
                _threads.Remove(slot);
                thread.Complete();
                thread.Abandon();
                Interlocked.Increment(ref _abandoned);
            }
        }
    }

    /// <summary>Stops the chunks still computing (at their next slice) and waits briefly for the threads to end.</summary>
    public void Dispose()
    {
        SlotThread[] threads;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            threads = [.. _threads.Values];
        }

        _stopping.Cancel();
        foreach (var thread in threads)
        {
            thread.Complete();
        }

        foreach (var thread in threads)
        {
            thread.Join(JoinTimeout);
        }

        _stopping.Dispose();
    }

    private interface IWorkItem
    {
        void Run();
    }

    private sealed class WorkItem<T>(Func<T> work) : IWorkItem
    {
        // Continuations (the worker's turn) go back to Orleans' scheduler, never run on this thread.
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public void Run()
        {
            try
            {
                _done.SetResult(work());
            }
            catch (Exception ex)
            {
                _done.SetException(ex);
            }
        }
    }

    private sealed class SlotThread
    {
        private readonly System.Collections.Concurrent.BlockingCollection<IWorkItem> _queue = [];
        private readonly Thread _thread;

        public SlotThread(long slot)
        {
            // Background: a silo that stops without disposing its services must still be able to exit.
            _thread = new Thread(Loop) { IsBackground = true, Name = $"GrainPool worker {slot}" };
            _thread.Start();
        }

        public void Post(IWorkItem item) => _queue.Add(item);

        public void Complete() => _queue.CompleteAdding();

        public void Join(TimeSpan timeout) => _thread.Join(timeout);

        public void Abandon() => _thread.Name = _thread.Name + " (abandoned)";

        private void Loop()
        {
            foreach (var item in _queue.GetConsumingEnumerable())
            {
                item.Run();
            }
        }
    }
}

/// <summary>
/// A chunk that did not stop within <see cref="WorkerThreads.StuckGrace"/> of being told to: its worker slot has a new
/// thread, and the old one is left to the kernel.
/// </summary>
public sealed class SlotAbandonedException(long slot, TimeSpan grace)
    : Exception($"The kernel did not return within {grace.TotalSeconds:0} s of its chunk being stopped; worker slot {slot} goes on with a new thread, the old one is left to the kernel.");
