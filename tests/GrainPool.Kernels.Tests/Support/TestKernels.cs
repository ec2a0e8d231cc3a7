using System.Collections.Concurrent;
using GrainPool.Kernels.Running;

namespace GrainPool.Kernels.Tests.Support;

/// <summary>Records every progress report synchronously, from whichever thread made it.</summary>
internal sealed class RecordingProgress : IProgress<RunProgress>
{
    private readonly ConcurrentQueue<RunProgress> _reports = new();

    public IReadOnlyList<RunProgress> Reports => [.. _reports];

    public void Report(RunProgress value) => _reports.Enqueue(value);
}

/// <summary>A range kernel whose result is the number of values it was given; it remembers every chunk.</summary>
internal sealed class WidthKernel(ulong minChunkSize = 1) : IRangeKernel<UInt128>
{
    private readonly ConcurrentQueue<(ulong First, ulong Last)> _chunks = new();

    public IReadOnlyList<(ulong First, ulong Last)> Chunks => [.. _chunks];

    public string Id => "test/width";

    public ulong MinChunkSize => minChunkSize;

    public UInt128 Zero => UInt128.Zero;

    public UInt128 Compute(ulong first, ulong last)
    {
        _chunks.Enqueue((first, last));
        return (UInt128)last - first + 1;
    }

    public UInt128 Combine(UInt128 left, UInt128 right) => left + right;
}

/// <summary>An item kernel that doubles its input and rejects one value with an <see cref="ArgumentException"/>.</summary>
internal sealed class RejectingKernel(long rejected) : IItemKernel<long, long>
{
    public string Id => "test/rejecting";

    public long Compute(long item) => item == rejected
        ? throw new ArgumentException($"{item} is the value this kernel rejects.", nameof(item))
        : 2 * item;
}

/// <summary>An item kernel that cancels a token when it reaches one value, to cancel a map from inside.</summary>
internal sealed class CancellingKernel(long trigger, CancellationTokenSource source) : IItemKernel<long, long>
{
    private int _computed;

    public int Computed => Volatile.Read(ref _computed);

    public string Id => "test/cancelling";

    public long Compute(long item)
    {
        Interlocked.Increment(ref _computed);
        if (item == trigger)
        {
            source.Cancel();
        }

        return item;
    }
}
