using System.Diagnostics;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using GrainPool.Grains;
using Xunit.Abstractions;

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
public sealed class CancellationTests(ThreeSiloClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task Cancelling_a_job_stops_the_work_on_every_silo_within_one_second() =>
        // Trial division near 10^12 takes about 2 ms per prime: each default chunk of 10^8 numbers is hours of work.
        StartCancelAndCheckSilosAsync(token =>
            fixture.Client.CountPrimesAsync(1_000_000_000_000, 1_000_000_000_000 + 10_000_000_000, PrimeCountMethod.Trial, cancellationToken: token));

    [Fact]
    public Task Cancelling_a_map_stops_the_work_on_every_silo_within_one_second() =>
        // Trial division near 10^12 takes about 2 ms per prime, so a 50,000-item chunk runs for seconds: no worker can
        // finish its chunk inside the one-second window.
        StartCancelAndCheckSilosAsync(token =>
            fixture.Client.MapAsync(BuiltInKernels.IsPrimeTrial, MapTests.Range(1_000_000_000_000, 1_000_000_000_000 + 1_000_000), new MapOptions { ChunkSize = 50_000 }, token));

    [Fact]
    public Task Cancelling_a_map_of_slow_items_stops_the_work_on_every_silo_within_one_second() =>
        // A quarter of a second per item, in chunks of 40: each chunk is 10 s of work, and the worker must stop it
        // between two items, not after a fixed count of them.
        StartCancelAndCheckSilosAsync(token =>
            fixture.Client.MapAsync(SlowItemKernel.Handle, MapTests.Range(1, 1_000), new MapOptions { ChunkSize = 40 }, token));

    // Starts the job, waits until a chunk runs on every silo, cancels it and checks the silo side (below), then that the
    // workers are free for the next job.
    private async Task StartCancelAndCheckSilosAsync(Func<CancellationToken, Task> startJob)
    {
        var activities = fixture.Cluster.Silos.Select(GrainPoolTestCluster.ActivityOf).ToArray();
        var cancelledBefore = activities.Select(a => a.Cancelled).ToArray();
        using var cancellation = new CancellationTokenSource();

        var job = startJob(cancellation.Token);
        var started = await Eventually.UntilAsync(
            () => activities.All(a => a.Running > 0),
            TimeSpan.FromSeconds(30),
            () => $"chunks to run on every silo (running: {string.Join(", ", activities.Select(a => a.Running))})");

        var stopped = await CancelAndWaitForSilosAsync(cancellation, job, activities, fixture.Cluster.Silos.Select(GrainPoolTestCluster.JobCancellationsOf).ToArray(), cancelledBefore);
        output.WriteLine($"chunks running on every silo after {started.TotalMilliseconds:0} ms; {stopped}");

        await AssertWorkersAreFreeAsync();
    }

    // Cancels the job, then checks the silo side: within CancelDeadline each silo counts at least as many more cancelled
    // chunks as it was running at cancel (refused queued chunks count too) and every worker is idle, so every chunk has
    // stopped and no chunk the client had queued behind a running one (2 in flight per worker) started and kept computing. Orleans'
    // own cancellation of those queued calls could take over a second (it retries a second later when the call has not
    // reached the worker yet); the job's cancellation through each silo's IJobControlGrain refuses them on arrival.
    private static readonly TimeSpan CancelDeadline = TimeSpan.FromSeconds(1);

    private static async Task<string> CancelAndWaitForSilosAsync(CancellationTokenSource cancellation, Task job, WorkerActivity[] activities, JobCancellations[] jobs, long[] cancelledBefore)
    {
        var runningAtCancel = activities.Select(a => a.Running).ToArray();
        var sinceCancel = Stopwatch.StartNew();
        var cancelledAt = Stopwatch.GetTimestamp();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        string Arrived() => string.Join(", ", jobs.Select(j => j.LastCancelledAt < cancelledAt ? "not yet" : $"{Stopwatch.GetElapsedTime(cancelledAt, j.LastCancelledAt).TotalMilliseconds:0} ms"));
        string Describe() => $"job cancellation arrived on the silos: {Arrived()}; running: {string.Join(", ", activities.Select(a => a.Running))}; " +
            $"cancelled: {string.Join(", ", activities.Select(a => a.Cancelled))} after {string.Join(", ", cancelledBefore)}; running at cancel: {string.Join(", ", runningAtCancel)}";
        var running = await Eventually.UntilAsync(
            () => activities.Select((a, i) => a.Cancelled - cancelledBefore[i] >= runningAtCancel[i]).All(stoppedAll => stoppedAll),
            CancelDeadline,
            () => "every chunk running at cancel to stop on its silo (" + Describe() + ")",
            since: sinceCancel);
        var all = await Eventually.UntilAsync(
            () => activities.All(a => a.Running == 0),
            CancelDeadline,
            () => "every silo to be idle (" + Describe() + ")",
            since: sinceCancel);
        return $"the job's cancellation reached the silos after {Arrived()}, the chunks running at cancel stopped {running.TotalMilliseconds:0} ms after it, every worker idle after {all.TotalMilliseconds:0} ms";
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
        await Eventually.UntilAsync(() => cancelledJobs.IsCancelled(job), TimeSpan.FromSeconds(5), () => $"job {job} to be cancelled on {key.Silo}");
        var cancelledBefore = activity.Cancelled;
        var completedBefore = activity.Completed;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.ComputeRangeAsync<ulong>(job, BuiltInKernels.PrimeCountSieve.Id, 1, 1000));
        Assert.Equal(cancelledBefore + 1, activity.Cancelled);
        Assert.Equal(completedBefore, activity.Completed);

        var other = await worker.ComputeRangeAsync<ulong>(Guid.NewGuid(), BuiltInKernels.PrimeCountSieve.Id, 1, 1000);
        Assert.Equal(ReferenceData.PiOf(1000), other.Partial);
    }

    // No cancelled chunk is left queued or running behind the workers' backs: a job over every slot finishes promptly
    // (a worker still busy with an hours-long chunk would hold it past the response timeout) and is right.
    private async Task AssertWorkersAreFreeAsync()
    {
        var result = await fixture.Client.CountPrimesAsync(0, 1_000_000, PrimeCountMethod.MillerRabin, new RangeOptions { Timeout = TimeSpan.FromSeconds(10) });

        Assert.Equal(ReferenceData.PiOf(1_000_000), result.Value);
        Assert.Equal(6, result.Stats.Workers);
        Assert.All(fixture.Cluster.Silos, silo => Assert.Equal(0, GrainPoolTestCluster.ActivityOf(silo).Running));
    }
}
