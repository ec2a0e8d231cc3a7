using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Running;

/// <summary>Runs jobs on <see cref="Workers"/> threads of this process through the kernels' <see cref="InProcessRunner"/>.</summary>
internal sealed class InProcessJobRunner(int workers) : IJobRunner
{
    private readonly InProcessRunner _runner = new(workers);

    /// <inheritdoc />
    public string Mode => "in-process";

    /// <inheritdoc />
    public int Workers => _runner.Workers;

    /// <inheritdoc />
    public Task<TPartial> RunRangeAsync<TPartial>(
        IRangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken) =>
        // The runner sees the token only between chunks, and one chunk may take seconds; WaitAsync lets the caller
        // return at once on Ctrl+C while the abandoned workers stop at their next chunk boundary.
        Task.Run(() => _runner.RunRange(kernel, first, last, chunkSize, progress, cancellationToken), cancellationToken)
            .WaitAsync(cancellationToken);

    /// <inheritdoc />
    public Task RunMapAsync<TItem, TResult>(
        IItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken) =>
        Task.Run(() => _runner.RunMap(kernel, items, results, chunkSize, progress, cancellationToken), cancellationToken)
            .WaitAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
