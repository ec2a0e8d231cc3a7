using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace GrainPool.Cluster.Tests;

[Collection(ClusterShapeCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class LongChunkTests
{
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A job without <see cref="JobOptions.Timeout"/> has no time limit (its documented default), even when it runs far
    /// longer than Orleans' per-call response timeout (30 s by default; pi(10^12) on one core takes minutes): chunks are
    /// sized to <see cref="JobOptions.TargetChunkDuration"/>, so no single call comes near the timeout. Scaled down
    /// here: a 2 s response timeout, 100 ms chunks, and a job that lasts longer than the timeout by construction: one
    /// worker keeps its thread busy for 1 ms of wall time per number (<see cref="SpinPerNumberKernel"/>), 3,000 numbers.
    /// </summary>
    [Fact]
    public async Task A_job_longer_than_the_response_timeout_completes_with_each_chunk_run_once()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(
            [1], initialSilos: 1, client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout));
        var activity = GrainPoolTestCluster.ActivityOf(cluster.Silos[0]);
        const ulong Numbers = 3_000;
        var leastDuration = SpinPerNumberKernel.NumberDuration * Numbers;
        Assert.True(leastDuration > ResponseTimeout, $"the job's least duration {leastDuration} must exceed the response timeout {ResponseTimeout}");

        var result = await cluster.Client.RunRangeAsync(
            SpinPerNumberKernel.Handle, 1, Numbers, new RangeOptions { TargetChunkDuration = TimeSpan.FromMilliseconds(100) });

        Assert.Equal(Numbers, result.Value);
        Assert.Equal(0, result.Stats.Retries);
        Assert.Equal(1, result.Stats.Workers);
        Assert.True(result.Stats.BusySeconds >= leastDuration.TotalSeconds, $"busy {result.Stats.BusySeconds} s, less than the {leastDuration} the kernel spun");
        Assert.True(result.Stats.Elapsed >= leastDuration, $"the job took {result.Stats.Elapsed}, less than the {leastDuration} its one worker spun");
        Assert.Equal(result.Stats.Chunks, activity.Completed);
        Assert.True(result.Stats.Chunks > 1, $"{result.Stats.Chunks} chunk(s): the job must have been split into chunks well under the timeout");
    }

    /// <summary>
    /// A live silo computing one chunk longer than the client's <see cref="GrainPoolClientOptions.SilentSiloTimeout"/>
    /// is not taken for gone: the call is silent all that time, but the silo answers the client's pings (served by its
    /// Orleans scheduler, not by the busy worker), so the chunk runs once. Scaled down: the smallest timeout allowed
    /// (a ping's time limit, 3 s) and one chunk that keeps its worker busy 1 ms per number for 4,500 numbers.
    /// </summary>
    [Fact]
    public async Task A_chunk_longer_than_the_silent_silo_timeout_on_a_live_silo_runs_once()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(
            [1], initialSilos: 1, client => client.Services.Configure<GrainPoolClientOptions>(o => o.SilentSiloTimeout = SiloWatch.AnswerTimeout));
        const ulong Numbers = 4_500;
        var leastDuration = SpinPerNumberKernel.NumberDuration * Numbers;
        Assert.True(leastDuration > SiloWatch.AnswerTimeout + SiloWatch.QuietLimit, $"the chunk's least duration {leastDuration} must outlast a whole silence");
        Assert.Equal(SiloWatch.AnswerTimeout, SiloWatch.For(cluster.Client.Grains).SilentFor);

        var result = await cluster.Client.RunRangeAsync(SpinPerNumberKernel.Handle, 1, Numbers, new RangeOptions { ChunkSize = Numbers });

        Assert.Equal(Numbers, result.Value);
        Assert.Equal(1, result.Stats.Chunks);
        Assert.Equal(0, result.Stats.Retries);
    }
}
