using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
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
    /// here: a 2 s response timeout, 100 ms chunks, a job of several seconds of kernel time. The 20x margin between chunk
    /// and timeout is for CI, where the other test assemblies share the two cores and a 100 ms chunk can take 1 s.
    /// </summary>
    [Fact]
    public async Task A_job_longer_than_the_response_timeout_completes_with_each_chunk_run_once()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(
            [1], initialSilos: 1, client => client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout));
        var activity = GrainPoolTestCluster.ActivityOf(cluster.Silos[0]);
        const ulong Last = 40_000_000;

        var result = await cluster.Client.RunRangeAsync(
            CollatzMaxStoppingTimeKernel.Handle, 1, Last, new RangeOptions { TargetChunkDuration = TimeSpan.FromMilliseconds(100) });

        Assert.Equal(UserKernelTests.LongestStoppingTime(1, Last), result.Value);
        Assert.Equal(0, result.Stats.Retries);
        Assert.True(result.Stats.Elapsed > ResponseTimeout, $"the job took {result.Stats.Elapsed}, not longer than the response timeout");
        Assert.Equal(result.Stats.Chunks, activity.Completed);
    }
}
