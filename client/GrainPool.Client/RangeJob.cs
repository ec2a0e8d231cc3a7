using GrainPool.Abstractions;
using Microsoft.Extensions.Logging;

namespace GrainPool.Client;

/// <summary>
/// A range kernel over [first, last]: chunks sized by the one chunk policy (<see cref="RangeChunkSource"/>), pulled by
/// every lane, their partial results combined with the kernel's exact combine.
/// </summary>
internal sealed class RangeJob<TPartial>(IGrainFactory grains, ILogger logger, RangeKernel<TPartial> kernel, ulong first, ulong last, RangeOptions options)
    : ClientJob<RangeChunk>(grains, logger, kernel.Id, "range", options)
{
    private readonly Lock _gate = new();
    private readonly UInt128 _width = (UInt128)last - first + 1;
    private RangeChunkSource? _source;
    private TPartial _total = kernel.Zero;

    protected override long? TotalUnits => _width > long.MaxValue ? null : (long)_width;

    public Task<JobResult<TPartial>> RunAsync(CancellationToken cancellationToken) =>
        RunAsync(() => new JobResult<TPartial>(_total, Stats.Snapshot(Elapsed)), cancellationToken);

    // Every lane (worker x in-flight) pulls chunks, so the guided share divides what is left among the lanes.
    protected override IChunkSource<RangeChunk> CreateSource(int workers, int lanes) =>
        _source = new RangeChunkSource(first, last, options.ChunkSize, kernel.MinChunkSize, lanes, options.TargetChunkDuration);

    protected override async Task ExecuteAsync(IComputeWorkerGrain worker, RangeChunk chunk, Guid jobId, ChunkCall call)
    {
        var (partial, stamp) = await ComputeAsync(worker, chunk, jobId, call).ConfigureAwait(false);
        call.Returned();
        _source!.Completed(chunk, stamp.BusySeconds);
        lock (_gate)
        {
            _total = kernel.Combine(_total, partial);
        }

        Stats.Add(stamp, chunk.Last - chunk.First + 1);
        Progress.Add((long)Math.Min(chunk.Last - chunk.First + 1, long.MaxValue));
    }

    // The chunk's partial result from one worker. A partial too large for one response message does not come back (the
    // silo's ResultBudget says why): the chunk is computed again in two halves on the same worker, each halved again
    // while it is too large, and their partials are combined here; a single number whose partial is too large fails
    // the job. Nothing is combined into the job's total before the whole chunk is done, so a failure on the way reruns
    // it whole, once. (The busy time of every part counts, so the pacing makes the job's next chunks smaller.)
    private async Task<(TPartial Partial, WorkerStamp Worker)> ComputeAsync(IComputeWorkerGrain worker, RangeChunk chunk, Guid jobId, ChunkCall call)
    {
        var whole = await worker.ComputeRangeAsync<TPartial>(jobId, kernel.Id, chunk.First, chunk.Last, call.CallToken).ConfigureAwait(false);
        if (whole.TooLarge is null)
        {
            return (whole.Partial, whole.Worker); // the usual case: one call
        }

        var total = kernel.Zero;
        var busy = whole.Worker.BusySeconds;
        var parts = new Stack<(ulong First, ulong Last, string TooLarge)>([(chunk.First, chunk.Last, whole.TooLarge)]);
        while (parts.TryPop(out var part))
        {
            if (part.First == part.Last)
            {
                throw new ResultTooLargeException($"{DescribeChunk(chunk)}: number {part.First} on its own cannot be returned: {part.TooLarge}. Return a smaller partial result, or raise MaxMessageBodySize on the silos and clients.");
            }

            // The upper half first, so that the lower one is split first: the first number too large is the one named.
            var middle = part.First + ((part.Last - part.First) / 2);
            foreach (var (from, to) in new[] { (middle + 1, part.Last), (part.First, middle) })
            {
                var result = await worker.ComputeRangeAsync<TPartial>(jobId, kernel.Id, from, to, call.CallToken).ConfigureAwait(false);
                busy += result.Worker.BusySeconds;
                if (result.TooLarge is null)
                {
                    total = kernel.Combine(total, result.Partial);
                }
                else
                {
                    parts.Push((from, to, result.TooLarge));
                }
            }
        }

        return (total, whole.Worker with { BusySeconds = busy });
    }

    protected override string DescribeChunk(RangeChunk chunk) => $"Chunk {kernel.Id} [{chunk.First}, {chunk.Last}]";

    protected override string Describe() => $"Job {kernel.Id} over [{first}, {last}]";
}
