using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Running;

/// <summary>
/// Runs jobs on <see cref="Workers"/> threads of this process through the kernels' <see cref="InProcessRunner"/>, running
/// the declaration behind each handle.
/// Concurrent jobs take turns, each on all the threads, so <see cref="Workers"/> is the whole budget (a one-thread
/// runner is one worker, as a Pool(1) is, however many jobs are submitted).
/// </summary>
internal sealed class InProcessJobRunner(int workers, ChunkSizeLog? chunks = null) : IJobRunner
{
    private readonly InProcessRunner _runner = new(workers);
    private readonly ChunkSizeLog _chunks = chunks ?? new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <inheritdoc />
    public string Mode => RunnerModeNames.NameOf(RunnerMode.InProcess);

    /// <inheritdoc />
    public int Workers => _runner.Workers;

    /// <inheritdoc />
    public int Silos => 0;

    /// <inheritdoc />
    public RunnerUsage Usage => new(Workers, 0, _chunks);

    /// <inheritdoc />
    public IJobRunner WithMaxWorkers(int maxWorkers) => new InProcessJobRunner(Math.Min(Math.Max(maxWorkers, 1), Workers), _chunks);

    /// <inheritdoc />
    public Task<TPartial> RunRangeAsync<TPartial>(
        RangeKernel<TPartial> kernel,
        ulong first,
        ulong last,
        ulong? chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken) =>
        InTurnAsync(() => _runner.RunRange(kernel.Kernel, first, last, chunkSize, progress, cancellationToken, _chunks), cancellationToken);

    /// <inheritdoc />
    public Task RunMapAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel,
        ReadOnlyMemory<TItem> items,
        Memory<TResult> results,
        int? chunkSize,
        IProgress<RunProgress>? progress,
        CancellationToken cancellationToken) =>
        InTurnAsync(() =>
        {
            _runner.RunMap(kernel.Kernel, items, results, chunkSize, progress, cancellationToken, _chunks);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<T> InTurnAsync<T>(Func<T> job, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        var run = Task.Run(job, cancellationToken);
        // The turn ends when the threads do, not when the caller stops waiting.
        _ = run.ContinueWith(_ => _turn.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        // The runner sees the token only between chunks, and one chunk may take seconds; WaitAsync lets the caller
        // return at once on Ctrl+C while the abandoned workers stop at their next chunk boundary.
        return await run.WaitAsync(cancellationToken);
    }
}
