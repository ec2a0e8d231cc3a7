using System.Collections.Concurrent;

namespace GrainPool.Grains;

/// <summary>
/// What this silo's compute workers are doing: live activations by slot, chunks running, completed and cancelled,
/// and busy time. Tests read it to observe the silo side (activations per core, cancellation reaching the worker);
/// metrics read it too.
/// </summary>
public sealed class WorkerActivity(TimeSpan sliceTarget)
{
    private readonly ConcurrentDictionary<long, byte> _slots = new();
    private long _running;
    private long _completed;
    private long _cancelled;
    private long _busyTicks;

    /// <summary>Target length of one slice of a chunk between yields.</summary>
    public TimeSpan SliceTarget { get; } = sliceTarget;

    /// <summary>Slots with a live worker activation on this silo.</summary>
    public IReadOnlyCollection<long> ActiveSlots => [.. _slots.Keys.Order()];

    /// <summary>Chunks executing right now.</summary>
    public long Running => Interlocked.Read(ref _running);

    /// <summary>Chunks finished.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Chunks stopped by their caller's cancellation.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Time spent inside kernels.</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    /// <summary>Raised when a running chunk stops because of cancellation (tests wait on it).</summary>
    public event Action<string>? ChunkCancelled;

    internal void Activated(long slot) => _slots[slot] = 0;

    internal void Deactivated(long slot) => _slots.TryRemove(slot, out _);

    internal ChunkScope StartChunk(string kernel)
    {
        Interlocked.Increment(ref _running);
        return new ChunkScope(this, kernel);
    }

    /// <summary>Tracks one chunk from start to completion, cancellation or failure.</summary>
    internal sealed class ChunkScope(WorkerActivity owner, string kernel) : IDisposable
    {
        private long _busyTicks;
        private bool _ended;

        public void AddBusy(TimeSpan busy)
        {
            _busyTicks += busy.Ticks;
            Interlocked.Add(ref owner._busyTicks, busy.Ticks);
        }

        public void ThrowIfCancelled(CancellationToken cancellationToken)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                return;
            }

            End();
            Interlocked.Increment(ref owner._cancelled);
            owner.ChunkCancelled?.Invoke(kernel);
            cancellationToken.ThrowIfCancellationRequested();
        }

        public Abstractions.WorkerStamp Complete(string silo, long slot)
        {
            End();
            Interlocked.Increment(ref owner._completed);
            return new Abstractions.WorkerStamp(silo, slot, TimeSpan.FromTicks(_busyTicks).TotalSeconds);
        }

        public void Dispose() => End();

        private void End()
        {
            if (!_ended)
            {
                _ended = true;
                Interlocked.Decrement(ref owner._running);
            }
        }
    }
}
