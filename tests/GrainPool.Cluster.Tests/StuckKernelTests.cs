using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using GrainPool.Grains;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// A user kernel that never returns and never reaches a slice boundary (here an item held at a <see cref="GateKernel"/>
/// gate that the test keeps shut, as a kernel stuck in a loop would be): the job's timeout ends the job, and once the
/// stuck chunk has ignored its stop for <see cref="WorkerThreads.StuckGrace"/> its worker goes on with a new thread, so a
/// job beside it and the jobs after it finish on every worker.
/// </summary>
[Collection(ClusterShapeCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class StuckKernelTests
{
    [Fact]
    public async Task A_kernel_that_never_returns_is_ended_by_the_job_timeout_and_its_worker_serves_the_jobs_beside_and_after_it()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync([1, 1], initialSilos: 2);
        const long Stuck = 9_700_001;
        using var gates = GateKernel.Arm(Stuck);

        var stuck = cluster.Client.SubmitAsync(GateKernel.Handle, Stuck, new JobOptions { Timeout = TimeSpan.FromSeconds(1) });
        await gates.All[0].WaitEnteredAsync(Eventually.Deadline);
        // Beside it: a job with a chunk for every worker, the stuck one included.
        long[] items = [.. Enumerable.Range(1, 64).Select(i => (long)i)];
        var beside = cluster.Client.MapAsync(GateKernel.Handle, items, new MapOptions { ChunkSize = 8 });

        var error = await Assert.ThrowsAsync<JobTimeoutException>(() => stuck);
        Assert.Contains(GateKernel.Handle.Id, error.Message, StringComparison.Ordinal);
        await Eventually.UntilAsync(
            () => cluster.Silos.Sum(s => GrainPoolTestCluster.WorkerThreadsOf(s).Abandoned) == 1,
            Eventually.Deadline,
            () => "the stuck chunk's worker thread to be given up");
        Assert.Equal(items, (await beside.WaitAsync(Eventually.Deadline)).Results);

        // After it, every worker takes chunks again, the one whose thread was stuck too.
        var after = await cluster.Client.MapAsync(GateKernel.Handle, items, new MapOptions { ChunkSize = 4, InFlightPerWorker = 1 }).WaitAsync(Eventually.Deadline);
        Assert.Equal(items, after.Results);
        Assert.Equal(2, after.Stats.Workers);
        Assert.False(gates.All[0].IsOpen, "the stuck item's gate was opened: nothing was stuck");
    }
}
