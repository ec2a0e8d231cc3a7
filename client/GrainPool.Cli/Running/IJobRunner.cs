using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Running;

/// <summary>
/// Runs kernel jobs somewhere: on threads of this process today, on a cluster later. Commands only talk to this
/// interface, so a new runner is one new class and one line in <see cref="JobRunnerFactory"/>.
/// </summary>
internal interface IJobRunner : IAsyncDisposable
{
    /// <summary>The mode's name as JSON output reports it, for example <c>in-process</c>.</summary>
    string Mode { get; }

    /// <summary>How many workers run chunks at once.</summary>
    int Workers { get; }

    /// <summary>
    /// Runs <paramref name="kernel"/> over the inclusive range [<paramref name="first"/>, <paramref name="last"/>] and returns
    /// the combined result. A <paramref name="chunkSize"/> of 0 lets the runner choose.
    /// </summary>
    Task<TPartial> RunRangeAsync<TPartial>(
        IRangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken);

    /// <summary>Pool.map: result i of <paramref name="results"/> is <paramref name="kernel"/> applied to item i.</summary>
    Task RunMapAsync<TItem, TResult>(
        IItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken);
}
