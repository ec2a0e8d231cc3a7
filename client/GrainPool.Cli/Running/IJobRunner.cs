using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Running;

/// <summary>
/// Runs kernel jobs somewhere: on threads of this process, or on a GrainPool cluster. Commands only talk to this
/// interface, so a new runner is one new class and one line in <see cref="JobRunnerFactory"/>. Jobs may run
/// concurrently on one runner.
/// </summary>
internal interface IJobRunner : IAsyncDisposable
{
    /// <summary>The mode's name as output reports it: <c>in-process</c>, <c>embedded</c>, <c>silos</c> or <c>remote</c>.</summary>
    string Mode { get; }

    /// <summary>How many workers one job may use: threads in process; worker slots on a cluster (at most the max-workers cap).</summary>
    int Workers { get; }

    /// <summary>Active silos of the cluster when the runner started; 0 in process.</summary>
    int Silos { get; }

    /// <summary>
    /// What the jobs run so far actually used (the largest job): distinct workers and silos that took chunks, and the
    /// sizes of all their chunks. In process it is the thread count and no silo.
    /// </summary>
    RunnerUsage Usage { get; }

    /// <summary>
    /// A view of this runner whose jobs use at most <paramref name="maxWorkers"/> workers (the same cluster or threads
    /// budget; disposing the view releases nothing). Its usage also counts towards this runner's.
    /// </summary>
    IJobRunner WithMaxWorkers(int maxWorkers);

    /// <summary>
    /// Runs the kernel of <paramref name="kernel"/> over the inclusive range [<paramref name="first"/>, <paramref name="last"/>]
    /// and returns the combined result. A null <paramref name="chunkSize"/> lets the runner choose.
    /// </summary>
    Task<TPartial> RunRangeAsync<TPartial>(
        RangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong? chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken);

    /// <summary>Pool.map: result i of <paramref name="results"/> is <paramref name="kernel"/> applied to item i.</summary>
    Task RunMapAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int? chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken);
}

/// <summary>Distinct workers and silos that took chunks (the largest of the jobs run), and the chunks of all the jobs.</summary>
/// <param name="Workers">Distinct worker activations (threads in process) that took chunks.</param>
/// <param name="Silos">Distinct silos that took chunks; 0 in process.</param>
/// <param name="Chunks">The sizes of the chunks every job run so far used; null when the runner does not record them.</param>
internal readonly record struct RunnerUsage(int Workers, int Silos, ChunkSizeLog? Chunks = null);
