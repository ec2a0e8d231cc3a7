using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
public sealed class WorkerThreadTests(ThreeSiloClusterFixture fixture)
{
    /// <summary>
    /// Kernels never hold a thread-pool thread (Orleans' messaging, cancellations and timers need the pool): each worker
    /// computes on a thread of its own, so a map over every worker sees exactly as many distinct threads as workers.
    /// </summary>
    [Fact]
    public async Task Each_worker_computes_on_its_own_dedicated_thread_never_on_the_thread_pool()
    {
        var items = Enumerable.Range(0, 30_000).Select(i => (long)i).ToArray();

        var result = await fixture.Client.MapAsync(ThreadIdentityKernel.Handle, items, new MapOptions { ChunkSize = 100 });

        Assert.All(result.Results, thread => Assert.True(thread > 0, $"a kernel ran on thread-pool thread {-thread}"));
        Assert.Equal(6, result.Stats.Workers);
        Assert.Equal(result.Stats.Workers, result.Results.Distinct().Count());
        Assert.All(fixture.Cluster.Silos, silo => Assert.Equal(
            fixture.Cluster.CoresOf(silo),
            GrainPoolTestCluster.WorkerThreadsOf(silo).Count));
    }
}
