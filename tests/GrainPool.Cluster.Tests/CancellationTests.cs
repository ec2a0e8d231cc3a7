using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// The cancellation tests get a three-silo cluster of their own: a cancellation that never reached a worker would
/// leave it computing for hours, and that must not hold up the other tests' workers.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CancellationClusterCollection : ICollectionFixture<ThreeSiloClusterFixture>
{
    public const string Name = "three-silo cluster for cancellation";
}

[Collection(CancellationClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class CancellationTests(ThreeSiloClusterFixture fixture)
{
    // Every worker holds a gated chunk when the test cancels, and twelve lanes (6 workers x 2 in flight) put a second
    // chunk behind each: gated chunks are running at cancel by construction, whatever the machine's speed.
    private const int Chunks = 12;

    [Fact]
    public async Task Cancelling_a_range_job_reaches_every_silo_stops_its_running_and_queued_chunks_and_leaves_every_worker_idle()
    {
        const long First = 9_300_000;
        const ulong ChunkSize = 10;
        using var gates = GateKernel.Arm([.. Enumerable.Range(0, Chunks).Select(c => First + (c * (long)ChunkSize))]);

        await StartCancelAndCheckSilosAsync(gates, token => fixture.Client.RunRangeAsync(
            GateRangeKernel.Handle, First, First + (Chunks * ChunkSize) - 1, new RangeOptions { ChunkSize = ChunkSize }, token));
    }

    [Fact]
    public async Task Cancelling_a_map_reaches_every_silo_stops_its_running_and_queued_chunks_and_leaves_every_worker_idle()
    {
        var (items, gates) = GatedMapItems(9_310_000);
        using var _ = gates;

        await StartCancelAndCheckSilosAsync(gates, token => fixture.Client.MapAsync(GateKernel.Handle, items, new MapOptions { ChunkSize = 2 }, token));
    }

    [Fact]
    public async Task Cancelling_a_stream_map_reaches_every_silo_stops_its_running_and_queued_chunks_and_leaves_every_worker_idle()
    {
        var (items, gates) = GatedMapItems(9_320_000);
        using var _ = gates;

        await StartCancelAndCheckSilosAsync(gates, async token =>
        {
            await foreach (var _ in fixture.Client.MapStreamAsync(GateKernel.Handle, items, new MapOptions { ChunkSize = 2 }, token))
            {
            }
        });
    }

    // Two-item chunks, each led by a gated value (the worker looks at cancellation after the gated item, which ends a
    // slice, and never after a chunk's last item).
    internal static (long[] Items, GateKernel.Gates Gates) GatedMapItems(long firstGate)
    {
        long[] items = [.. Enumerable.Range(0, Chunks).SelectMany(c => new[] { firstGate + c, c + 1L })];
        return (items, GateKernel.Arm([.. Enumerable.Range(0, Chunks).Select(c => firstGate + c)]));
    }

    // Starts the job, waits until every worker holds a chunk at its gate, cancels, and checks the silo side (see
    // SiloCancellationProbe); the gated chunks are still held when the cancellation arrives, so only it can stop them.
    // Lastly the workers are free for the next job.
    private async Task StartCancelAndCheckSilosAsync(GateKernel.Gates gates, Func<CancellationToken, Task> startJob)
    {
        var probe = new SiloCancellationProbe(fixture.Cluster);
        using var cancellation = new CancellationTokenSource();

        var job = startJob(cancellation.Token);
        await probe.WaitUntilEveryWorkerRunsAsync();
        probe.BeforeCancel();
        await cancellation.CancelAsync();

        await probe.WaitUntilCancellationReachedEverySiloAsync();
        probe.AssertStillRunningAsAtCancel();
        gates.OpenAll();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(Eventually.Deadline));
        await probe.WaitUntilStoppedAndIdleAsync();
        Assert.All(gates.All, g => Assert.True(g.Entered <= 1, $"gate {g.Value} entered {g.Entered} times: a cancelled chunk ran again"));

        await AssertWorkersAreFreeAsync();
    }

    [Fact]
    public async Task A_chunk_of_a_job_already_cancelled_on_its_silo_is_refused_and_the_worker_serves_other_jobs()
    {
        var key = (await fixture.Client.GetTopologyAsync()).Workers()[0];
        var silo = fixture.Cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == key.Silo);
        var activity = GrainPoolTestCluster.ActivityOf(silo);
        var cancelledJobs = GrainPoolTestCluster.JobCancellationsOf(silo);
        var worker = fixture.Client.Grains.GetGrain<IComputeWorkerGrain>(key.Core, key.Silo);
        var job = Guid.NewGuid();

        await fixture.Client.Grains.GetGrain<IJobControlGrain>(0, key.Silo).CancelJobAsync(job);
        await Eventually.UntilAsync(() => cancelledJobs.IsCancelled(job), Eventually.Deadline, () => $"job {job} to be cancelled on {key.Silo}");
        var cancelledBefore = activity.Cancelled;
        var completedBefore = activity.Completed;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.ComputeRangeAsync<ulong>(job, BuiltInKernels.PrimeCountSieve.Id, 1, 1000));
        Assert.Equal(cancelledBefore + 1, activity.Cancelled);
        Assert.Equal(completedBefore, activity.Completed);

        var other = await worker.ComputeRangeAsync<ulong>(Guid.NewGuid(), BuiltInKernels.PrimeCountSieve.Id, 1, 1000);
        Assert.Equal(ReferenceData.PiOf(1000), other.Partial);
    }

    // The silo's log says which job was cancelled there ([LoggerMessage] event 1110, JobControlGrain.Log.cs), and a
    // chunk that fails logs a warning naming its job, kernel and error (event 1102, ComputeWorkerGrain.Log.cs).
    [Fact]
    public async Task A_silo_logs_a_job_cancelled_on_it_and_a_chunk_that_failed_with_their_ids()
    {
        var key = (await fixture.Client.GetTopologyAsync()).Workers()[0];
        var silo = fixture.Cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == key.Silo);
        var log = GrainPoolTestCluster.LogOf(silo);
        var cancelled = Guid.NewGuid();
        var failing = Guid.NewGuid();

        await fixture.Client.Grains.GetGrain<IJobControlGrain>(0, key.Silo).CancelJobAsync(cancelled);
        // A chunk whose first number is past its last is refused by the worker: a failed chunk, not a cancelled one.
        var worker = fixture.Client.Grains.GetGrain<IComputeWorkerGrain>(key.Core, key.Silo);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => worker.ComputeRangeAsync<ulong>(failing, BuiltInKernels.PrimeCountSieve.Id, 1000, 1));

        var cancellation = Assert.Single(log.Entries, e => e.EventId == 1110 && Equals(e.Values["Job"], cancelled));
        Assert.Equal(LogLevel.Information, cancellation.Level);
        Assert.Equal(silo.SiloHost.Services.GetRequiredService<ILocalSiloDetails>().Name, cancellation.Values["Silo"]);
        var failure = Assert.Single(log.Entries, e => e.EventId == 1102 && Equals(e.Values["Job"], failing));
        Assert.Equal(LogLevel.Warning, failure.Level);
        Assert.Equal(BuiltInKernels.PrimeCountSieve.Id, failure.Values["Kernel"]);
        Assert.Equal(nameof(ArgumentOutOfRangeException), failure.Values["ErrorKind"]);
        Assert.IsType<ArgumentOutOfRangeException>(failure.Exception);
    }

    // No cancelled chunk is left queued or running behind the workers' backs: a job over every slot runs on all six
    // workers and is right.
    private async Task AssertWorkersAreFreeAsync()
    {
        var result = await fixture.Client.CountPrimesAsync(0, 1_000_000, BuiltInKernels.PrimeCountMillerRabin);

        Assert.Equal(ReferenceData.PiOf(1_000_000), result.Value);
        Assert.Equal(6, result.Stats.Workers);
        Assert.All(fixture.Cluster.Silos, silo => Assert.Equal(0, GrainPoolTestCluster.ActivityOf(silo).Running));
    }
}
