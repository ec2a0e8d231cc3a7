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
        var result = await worker.ComputeRangeAsync<TPartial>(jobId, kernel.Id, chunk.First, chunk.Last, call.CallToken).ConfigureAwait(false);
        call.Returned();
        _source!.Completed(chunk, result.Worker.BusySeconds);
        lock (_gate)
        {
            _total = kernel.Combine(_total, result.Partial);
        }

        Stats.Add(result.Worker, chunk.Last - chunk.First + 1);
        Progress.Add((long)Math.Min(chunk.Last - chunk.First + 1, long.MaxValue));
    }

    protected override string DescribeChunk(RangeChunk chunk) => $"Chunk {kernel.Id} [{chunk.First}, {chunk.Last}]";

    protected override string Describe() => $"Job {kernel.Id} over [{first}, {last}]";
}
