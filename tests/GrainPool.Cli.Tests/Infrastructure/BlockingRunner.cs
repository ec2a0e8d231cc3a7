using System.Diagnostics;
using GrainPool.Abstractions;
using GrainPool.Cli.Running;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// A job runner whose every job starts, hands the test the progress object the program gave it, and then waits for
/// cancellation like a job that never ends: tests wait on <see cref="Started"/>, never on the clock.
/// </summary>
internal sealed class BlockingRunner : IJobRunner
{
    private readonly TaskCompletionSource<IProgress<RunProgress>?> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<IProgress<RunProgress>?> Started => _started.Task;

    public string Mode => "test";

    public int Workers => 1;

    public int Silos => 0;

    public RunnerUsage Usage => new(1, 0);

    public IJobRunner WithMaxWorkers(int maxWorkers) => this;

    public async Task<TPartial> RunRangeAsync<TPartial>(
        RangeKernel<TPartial> kernel, ulong first, ulong last, ulong? chunkSize, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        _started.TrySetResult(progress);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new UnreachableException();
    }

    public async Task RunMapAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel, ReadOnlyMemory<TItem> items, Memory<TResult> results, int? chunkSize, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        _started.TrySetResult(progress);
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
