using System.Collections.Concurrent;

namespace GrainPool.Grains;

/// <summary>
/// One dedicated thread per worker slot of this silo: a worker's chunk computes there, and the worker's Orleans turn
/// only awaits it. Kernels are CPU-bound for the whole chunk; run on the .NET thread pool, a silo's workers held as
/// many pool threads as it has cores, and everything else on the pool (Orleans messaging, cancellations, the client in
/// the same process) waited for the pool's slow thread injection: a cancellation was measured arriving 3 s late on
/// 2 cores. On their own threads the kernels compete for CPU only, never for the pool.
/// </summary>
public sealed class WorkerThreads : IDisposable
{
    private readonly ConcurrentDictionary<long, Lazy<SlotThread>> _threads = new();
    private volatile bool _disposed;

    /// <summary>Threads started so far (one per slot that has run a chunk).</summary>
    public int Count => _threads.Count;

    /// <summary>Runs <paramref name="work"/> on slot <paramref name="slot"/>'s thread, after any work queued there before it.</summary>
    public Task<T> RunAsync<T>(long slot, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var item = new WorkItem<T>(work);
        _threads.GetOrAdd(slot, s => new Lazy<SlotThread>(() => new SlotThread(s))).Value.Post(item);
        return item.Task;
    }

    /// <summary>Lets each thread finish the work queued on it, then end.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var thread in _threads.Values)
        {
            thread.Value.Complete();
        }
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
        private readonly BlockingCollection<IWorkItem> _queue = [];

        public SlotThread(long slot)
        {
            // Background: a silo that stops without disposing its services must still be able to exit.
            new Thread(Loop) { IsBackground = true, Name = $"GrainPool worker {slot}" }.Start();
        }

        public void Post(IWorkItem item) => _queue.Add(item);

        public void Complete() => _queue.CompleteAdding();

        private void Loop()
        {
            foreach (var item in _queue.GetConsumingEnumerable())
            {
                item.Run();
            }
        }
    }
}
