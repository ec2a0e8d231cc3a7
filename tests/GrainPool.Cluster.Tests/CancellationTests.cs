using System.Diagnostics;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
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
public sealed class CancellationTests(ThreeSiloClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Cancelling_a_job_stops_the_work_on_every_silo_within_one_second()
    {
        var silos = fixture.Cluster.Silos;
        var activities = silos.Select(GrainPoolTestCluster.ActivityOf).ToArray();
        var cancelledBefore = activities.Select(a => a.Cancelled).ToArray();
        using var cancellation = new CancellationTokenSource();

        // Trial division near 10^12 takes about 2 ms per prime: each default chunk of 10^8 numbers is hours of work.
        const ulong First = 1_000_000_000_000;
        var job = fixture.Client.CountPrimesAsync(First, First + 10_000_000_000, PrimeCountMethod.Trial, cancellationToken: cancellation.Token);
        var started = await Eventually.UntilAsync(
            () => activities.All(a => a.Running > 0),
            TimeSpan.FromSeconds(30),
            () => $"chunks to run on every silo (running: {string.Join(", ", activities.Select(a => a.Running))})");

        var sinceCancel = Stopwatch.StartNew();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        var stopped = await Eventually.UntilAsync(
            () => activities.All(a => a.Running == 0) && activities.Select((a, i) => a.Cancelled > cancelledBefore[i]).All(more => more),
            TimeSpan.FromSeconds(1),
            () => $"every silo to stop its chunks (running: {string.Join(", ", activities.Select(a => a.Running))}; " +
                $"cancelled: {string.Join(", ", activities.Select(a => a.Cancelled))} after {string.Join(", ", cancelledBefore)})",
            since: sinceCancel);
        output.WriteLine($"chunks running on every silo after {started.TotalMilliseconds:0} ms; all stopped {stopped.TotalMilliseconds:0} ms after cancel");

        await AssertWorkersAreFreeAsync();
    }

    [Fact]
    public async Task Cancelling_a_map_stops_the_work_on_every_silo_within_one_second()
    {
        var activities = fixture.Cluster.Silos.Select(GrainPoolTestCluster.ActivityOf).ToArray();
        var cancelledBefore = activities.Select(a => a.Cancelled).ToArray();
        using var cancellation = new CancellationTokenSource();
        // Trial division near 10^12 takes about 2 ms per prime, so a 50,000-item chunk runs for seconds: no worker can
        // finish its chunk inside the one-second window (a queued chunk cancelled before it starts counts nowhere).
        var items = MapTests.Range(1_000_000_000_000, 1_000_000_000_000 + 1_000_000);

        var job = fixture.Client.MapAsync(BuiltInKernels.IsPrimeTrial, items, new MapOptions { ChunkSize = 50_000 }, cancellation.Token);
        var started = await Eventually.UntilAsync(
            () => activities.All(a => a.Running > 0),
            TimeSpan.FromSeconds(30),
            () => $"chunks to run on every silo (running: {string.Join(", ", activities.Select(a => a.Running))})");

        var sinceCancel = Stopwatch.StartNew();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);
        var stopped = await Eventually.UntilAsync(
            () => activities.All(a => a.Running == 0) && activities.Select((a, i) => a.Cancelled > cancelledBefore[i]).All(more => more),
            TimeSpan.FromSeconds(1),
            () => $"every silo to stop its chunks (running: {string.Join(", ", activities.Select(a => a.Running))}; " +
                $"cancelled: {string.Join(", ", activities.Select(a => a.Cancelled))} after {string.Join(", ", cancelledBefore)})",
            since: sinceCancel);
        output.WriteLine($"chunks running on every silo after {started.TotalMilliseconds:0} ms; all stopped {stopped.TotalMilliseconds:0} ms after cancel");

        await AssertWorkersAreFreeAsync();
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
