using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// <see cref="JobOptions.Timeout"/> for every job kind: a job whose chunks are held at <see cref="GateKernel"/> gates
/// cannot finish before its timeout, whatever the machine's speed, so the timeout is certain to end it.
/// </summary>
[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class JobTimeoutTests(ThreeSiloClusterFixture fixture)
{
    public enum JobKind
    {
        Range,
        Map,
        MapUnordered,
        MapStream,
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    [Theory]
    [InlineData(JobKind.Range)]
    [InlineData(JobKind.Map)]
    [InlineData(JobKind.MapUnordered)]
    [InlineData(JobKind.MapStream)]
    public async Task A_job_held_past_its_timeout_fails_with_JobTimeoutException_naming_the_kernel_and_leaves_the_workers_free(JobKind kind)
    {
        var firstGate = 9_600_000 + ((long)kind * 1_000);
        var (items, gates) = CancellationTests.GatedMapItems(firstGate);
        using var _ = gates;
        var activities = fixture.Cluster.Silos.Select(GrainPoolTestCluster.ActivityOf).ToArray();
        var options = new MapOptions { ChunkSize = 2, Timeout = Timeout };

        var error = await Assert.ThrowsAsync<JobTimeoutException>(() => kind switch
        {
            // One gated number per chunk: [g, g + 11] in chunks of 1, every number gated.
            JobKind.Range => fixture.Client.RunRangeAsync(GateRangeKernel.Handle, (ulong)firstGate, (ulong)firstGate + 11, new RangeOptions { ChunkSize = 1, Timeout = Timeout }),
            JobKind.Map => fixture.Client.MapAsync(GateKernel.Handle, items, options),
            JobKind.MapUnordered => ConsumeAsync(fixture.Client.MapUnorderedAsync(GateKernel.Handle, items, options)),
            JobKind.MapStream => ConsumeAsync(fixture.Client.MapStreamAsync(GateKernel.Handle, items, options)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown job kind."),
        });

        var kernel = kind == JobKind.Range ? GateRangeKernel.Handle.Id : GateKernel.Handle.Id;
        Assert.Contains(kernel, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"exceeded its timeout of {Timeout}.", error.Message, StringComparison.Ordinal);
        Assert.True(gates.All.Any(g => g.Entered == 1), "no chunk reached its gate: the job ended before it ran");
        gates.OpenAll();
        await Eventually.UntilAsync(
            () => activities.All(a => a.Running == 0),
            Eventually.Deadline,
            () => $"every worker to be idle after the timeout (running: {string.Join(", ", activities.Select(a => a.Running))})");
    }

    private static async Task ConsumeAsync<T>(IAsyncEnumerable<T> results)
    {
        await foreach (var _ in results)
        {
        }
    }
}
