using GrainPool.Abstractions;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GrainPool.Grains;

/// <summary>
/// What this silo's compute workers are doing: live activations by slot, chunks running, completed and cancelled,
/// and busy time. Tests read it to observe the silo side (activations per core, cancellation reaching the worker), and
/// it publishes the same facts as the <see cref="MeterName"/> meter (see dashboards/README.md), tagged with the kernel and
/// the silo's name: never a job id or an item, so the number of series stays bounded.
/// </summary>
public sealed class WorkerActivity
{
    /// <summary>The name of GrainPool's silo-side meter.</summary>
    public const string MeterName = "GrainPool";

    /// <summary>Histogram bucket bounds (seconds) for chunk durations: 1 ms .. 30 s, roughly x2.5 apart.</summary>
    public static readonly IReadOnlyList<double> ChunkDurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly ConcurrentDictionary<long, byte> _slots = new();
    private readonly Lazy<string> _siloName;
    private readonly Counter<long>? _chunksCompleted;
    private readonly Counter<long>? _itemsCompleted;
    private readonly Counter<long>? _chunksFailed;
    private readonly Counter<long>? _itemsFailed;
    private readonly Counter<long>? _chunksCancelled;
    private readonly Counter<double>? _busySeconds;
    private readonly Histogram<double>? _chunkDuration;
    private long _running;
    private long _completed;
    private long _cancelled;
    private long _busyTicks;

    /// <summary>Tracks workers without publishing metrics (tests, tools).</summary>
    public WorkerActivity(TimeSpan sliceTarget)
        : this(sliceTarget, 1, null, static () => "silo")
    {
    }

    /// <summary>Tracks workers and publishes the <see cref="MeterName"/> meter through <paramref name="meterFactory"/>.</summary>
    /// <param name="sliceTarget">How long a worker computes between checks for cancellation.</param>
    /// <param name="advertisedCores">Worker slots this silo offers (the <c>grainpool_cores_advertised</c> gauge).</param>
    /// <param name="meterFactory">Creates the meter; null publishes nothing.</param>
    /// <param name="siloName">The silo's name for the <c>silo</c> tag, read on first use (the silo names itself late).</param>
    public WorkerActivity(TimeSpan sliceTarget, int advertisedCores, IMeterFactory? meterFactory, Func<string> siloName)
    {
        SliceTarget = sliceTarget;
        AdvertisedCores = advertisedCores;
        _siloName = new Lazy<string>(siloName);
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(new MeterOptions(MeterName));
        _chunksCompleted = meter.CreateCounter<long>("grainpool.chunks.completed", "{chunk}", "Chunks the compute workers finished, by kernel");
        _itemsCompleted = meter.CreateCounter<long>("grainpool.items.completed", "{item}", "Items (map) or numbers (range jobs) the compute workers finished, by kernel");
        _chunksFailed = meter.CreateCounter<long>("grainpool.chunks.failed", "{chunk}", "Chunks that ended with an error, by kernel and error kind (exception type)");
        _itemsFailed = meter.CreateCounter<long>("grainpool.items.failed", "{item}", "Map items whose kernel call failed (the chunk still completes), by kernel and error kind");
        _chunksCancelled = meter.CreateCounter<long>("grainpool.chunks.cancelled", "{chunk}", "Chunks stopped, or refused before starting, because their call or job was cancelled or their silo was stopping (those are handed back and rerun elsewhere), by kernel");
        _busySeconds = meter.CreateCounter<double>("grainpool.worker.busy", "s", "CPU seconds the compute workers spent inside kernels (thread CPU time); its rate is the number of cores doing useful work");
        _chunkDuration = meter.CreateHistogram<double>(
            "grainpool.chunk.duration",
            "s",
            "Time from a chunk's start on its worker to its end, by kernel",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ChunkDurationBuckets });
        meter.CreateObservableGauge("grainpool.chunks.running", () => new Measurement<long>(Running, SiloTag), "{chunk}", "Chunks executing on this silo's workers now (at most one per worker)");
        meter.CreateObservableGauge("grainpool.worker.activations", () => new Measurement<long>(_slots.Count, SiloTag), "{activation}", "Live compute worker activations on this silo");
        meter.CreateObservableGauge("grainpool.cores.advertised", () => new Measurement<long>(AdvertisedCores, SiloTag), "{core}", "Cores this silo offers to compute workers (its worker slots)");
    }

    /// <summary>Target length of one slice of a chunk: how long a cancellation can wait to be seen.</summary>
    public TimeSpan SliceTarget { get; }

    /// <summary>Worker slots this silo offers.</summary>
    public int AdvertisedCores { get; }

    /// <summary>Slots with a live worker activation on this silo.</summary>
    public IReadOnlyCollection<long> ActiveSlots => [.. _slots.Keys.Order()];

    /// <summary>Chunks executing right now.</summary>
    public long Running => Interlocked.Read(ref _running);

    /// <summary>Chunks finished.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Chunks stopped, or refused before starting, because their call or job was cancelled.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Time spent inside kernels.</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    private KeyValuePair<string, object?> SiloTag => new("silo", _siloName.Value);

    /// <summary>
    /// Exports every counter of every registered kernel at zero from the start. A counter series that first appears
    /// already at 1 shows no increase to Prometheus' rate(), so the first cancellation (or the first chunk) of a kernel
    /// would otherwise never show on a dashboard. (Failures also carry the error type, unknown before it happens.)
    /// </summary>
    public void InitializeSeries(IEnumerable<string> kernels)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        foreach (var kernel in kernels)
        {
            var tags = Tags(kernel);
            _chunksCompleted?.Add(0, tags);
            _itemsCompleted?.Add(0, tags);
            _chunksCancelled?.Add(0, tags);
            _busySeconds?.Add(0, tags);
        }
    }

    internal void Activated(long slot) => _slots[slot] = 0;

    internal void Deactivated(long slot) => _slots.TryRemove(slot, out _);

    /// <summary>
    /// Starts tracking a chunk. A chunk whose job is already cancelled on this silo (or whose call is) is refused here: it counts as cancelled and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    internal ChunkScope StartChunk(string kernel, ChunkCancellation cancellation)
    {
        Interlocked.Increment(ref _running);
        var chunk = new ChunkScope(this, kernel, cancellation);
        chunk.ThrowIfCancelled();
        return chunk;
    }

    private TagList Tags(string kernel) => new() { { "kernel", kernel }, SiloTag };

    private TagList Tags(string kernel, string error) => new() { { "kernel", kernel }, SiloTag, { "error", error } };

    /// <summary>Tracks one chunk from start to completion, cancellation or failure.</summary>
    internal sealed class ChunkScope(WorkerActivity owner, string kernel, ChunkCancellation cancellation) : IDisposable
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private long _busyTicks;
        private int _ended;

        /// <summary>
        /// Adds one slice: <paramref name="busy"/> is its wall time (what the client paces chunks by), <paramref name="cpu"/>
        /// the CPU time its thread got (what the busy-seconds metric counts).
        /// </summary>
        public void AddBusy(TimeSpan busy, TimeSpan cpu)
        {
            _busyTicks += busy.Ticks;
            Interlocked.Add(ref owner._busyTicks, busy.Ticks);
            // Per slice, not per chunk, so that the busy-cores rate is smooth while long chunks run.
            owner._busySeconds?.Add(Math.Max(0, cpu.TotalSeconds), owner.Tags(kernel));
        }

        public void ItemFailed(string error) => owner._itemsFailed?.Add(1, owner.Tags(kernel, error));

        /// <summary>Whether the chunk's call or job was cancelled, or the silo is stopping.</summary>
        public bool StopRequested() => cancellation.IsRequested;

        /// <summary>Stops the chunk if its call or its job was cancelled, or the silo is stopping (called between slices).</summary>
        public void ThrowIfCancelled()
        {
            if (!cancellation.IsRequested)
            {
                return;
            }

            // Counted once: after its slot was given up, a stuck kernel that comes back sees the same stop again.
            if (End())
            {
                Interlocked.Increment(ref owner._cancelled);
                owner._chunksCancelled?.Add(1, owner.Tags(kernel));
            }

            cancellation.Throw();
        }

        /// <summary>Records a chunk that ended with <paramref name="error"/> (not a cancellation).</summary>
        public void Failed(Exception error) => NotReturned(error.GetType().Name);

        private void NotReturned(string errorType)
        {
            if (End())
            {
                owner._chunksFailed?.Add(1, owner.Tags(kernel, errorType));
            }
        }

        public Abstractions.WorkerStamp Complete(string silo, long slot, long items)
        {
            End();
            Interlocked.Increment(ref owner._completed);
            var tags = owner.Tags(kernel);
            owner._chunksCompleted?.Add(1, tags);
            owner._itemsCompleted?.Add(items, tags);
            owner._chunkDuration?.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
            return Stamp(silo, slot);
        }

        /// <summary>
        /// A chunk computed but whose result could not be returned (<paramref name="errorType"/>): counted as failed with
        /// that error, its busy time still reported to the caller.
        /// </summary>
        public Abstractions.WorkerStamp NotReturned(string silo, long slot, string errorType)
        {
            NotReturned(errorType);
            return Stamp(silo, slot);
        }

        private Abstractions.WorkerStamp Stamp(string silo, long slot) => new(silo, slot, TimeSpan.FromTicks(_busyTicks).TotalSeconds);

        public void Dispose() => End();

        // True the first time only (the grain's thread and a stuck kernel's thread may both end it).
        private bool End()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return false;
            }

            Interlocked.Decrement(ref owner._running);
            return true;
        }
    }
}

/// <summary>What stops a chunk: its call's token, its job's cancellation on this silo, or the silo stopping.</summary>
internal readonly record struct ChunkCancellation(CancellationToken Call, JobCancellations Jobs, Guid Job, CancellationToken SiloStopping)
{
    public bool IsRequested => Call.IsCancellationRequested || Jobs.IsCancelled(Job) || SiloStopping.IsCancellationRequested;

    /// <summary>
    /// A cancelled call or job is a cancellation (<see cref="OperationCanceledException"/>). A silo that is only stopping
    /// hands the chunk back instead: <see cref="SiloUnavailableException"/>, which the client takes as a failure of this
    /// silo and reruns the chunk on another worker; a cancellation would end the caller's job.
    /// </summary>
    public void Throw()
    {
        Call.ThrowIfCancellationRequested();
        if (Jobs.IsCancelled(Job) || !SiloStopping.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Job {Job} was cancelled.");
        }

        throw new SiloUnavailableException($"{HandBack.MessageStart} the chunk of job {Job} is handed back, to run on another worker.");
    }
}
