using GrainPool.Abstractions;
using GrainPool.Cli.Running;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// A job runner that computes nothing: every job fails with <paramref name="failure"/> when one is given, otherwise every
/// range job returns <paramref name="rangeAnswer"/> and every item <paramref name="itemAnswer"/> (each cast to the job's
/// result type). Tests use it to see what the program does with a given answer or error, with no cluster.
/// </summary>
internal sealed class AnsweringRunner(Exception? failure = null, object? rangeAnswer = null, object? itemAnswer = null) : IJobRunner
{
    public string Mode => "test";

    public int Workers => 1;

    public int Silos => 0;

    public RunnerUsage Usage => new(1, 0);

    public IJobRunner WithMaxWorkers(int maxWorkers) => this;

    public Task<TPartial> RunRangeAsync<TPartial>(
        RangeKernel<TPartial> kernel, ulong first, ulong last, ulong? chunkSize, IProgress<RunProgress>? progress, CancellationToken cancellationToken) =>
        failure is not null ? Task.FromException<TPartial>(failure) : Task.FromResult((TPartial)rangeAnswer!);

    public Task RunMapAsync<TItem, TResult>(
        ItemKernel<TItem, TResult> kernel, ReadOnlyMemory<TItem> items, Memory<TResult> results, int? chunkSize, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        if (failure is not null)
        {
            return Task.FromException(failure);
        }

        results.Span.Fill((TResult)itemAnswer!);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
