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
        var (partial, stamp, pacedBusy) = await ComputeAsync(worker, chunk, jobId, call).ConfigureAwait(false);
        call.Returned();
        _source!.Completed(chunk, pacedBusy);
        lock (_gate)
        {
            _total = kernel.Combine(_total, partial);
        }

        Stats.Add(stamp, chunk.Last - chunk.First + 1);
        Progress.Add((long)Math.Min(chunk.Last - chunk.First + 1, long.MaxValue));
    }

    // The chunk's partial result from one worker, and the busy time to pace by. A partial too large for one response
    // message does not come back (the silo's ResultBudget says why): the chunk is computed again in parts on the same
    // worker, lower half first, each part halved again while its partial is too large, and the parts' partials are
    // combined here; a single number whose partial is too large fails the job (the lowest such number is the one named).
    // Nothing reaches the job's total before the whole chunk is done, so a failure on the way reruns it whole, once.
    // Later chunks are no wider than the widest part that fitted, and are paced by the parts' own busy time; the
    // stamp's busy time counts every call, the discarded ones too.
    private async Task<(TPartial Partial, WorkerStamp Worker, double PacedBusy)> ComputeAsync(IComputeWorkerGrain worker, RangeChunk chunk, Guid jobId, ChunkCall call)
    {
        var whole = await worker.ComputeRangeAsync<TPartial>(jobId, kernel.Id, chunk.First, chunk.Last, call.CallToken).ConfigureAwait(false);
        if (whole.TooLarge is null)
        {
            return (whole.Partial, whole.Worker, whole.Worker.BusySeconds); // the usual case: one call
        }

        var total = kernel.Zero;
        var busy = whole.Worker.BusySeconds;
        var pacedBusy = 0.0;
        var widest = 0UL;
        var parts = new Stack<RangeChunk>();
        Halve(chunk, new RangeChunk(chunk.First, chunk.Last), whole.TooLarge, parts);
        while (parts.TryPop(out var part))
        {
            var result = await worker.ComputeRangeAsync<TPartial>(jobId, kernel.Id, part.First, part.Last, call.CallToken).ConfigureAwait(false);
            busy += result.Worker.BusySeconds;
            if (result.TooLarge is null)
            {
                total = kernel.Combine(total, result.Partial);
                pacedBusy += result.Worker.BusySeconds;
                widest = Math.Max(widest, part.Last - part.First + 1);
            }
            else
            {
                Halve(chunk, part, result.TooLarge, parts);
            }
        }

        _source!.LimitWidth(widest);
        return (total, whole.Worker with { BusySeconds = busy }, pacedBusy);
    }

    // Pushes the two halves of a part whose partial was too large, the lower one on top; a single number cannot be halved.
    private void Halve(RangeChunk chunk, RangeChunk part, string tooLarge, Stack<RangeChunk> parts)
    {
        if (part.First == part.Last)
        {
            throw new ResultTooLargeException($"{DescribeChunk(chunk)}: number {part.First} on its own cannot be returned: {tooLarge}. Return a smaller partial result, or raise MaxMessageBodySize on the silos and clients.");
        }

        var middle = part.First + ((part.Last - part.First) / 2);
        parts.Push(new RangeChunk(middle + 1, part.Last));
        parts.Push(new RangeChunk(part.First, middle));
    }

    protected override string DescribeChunk(RangeChunk chunk) => $"Chunk {kernel.Id} [{chunk.First}, {chunk.Last}]";

    protected override string Describe() => $"Job {kernel.Id} over [{first}, {last}]";
}
