using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// <see cref="JobOptions.Timeout"/> for every job kind: a job whose chunks are held at <see cref="GateKernel"/> gates
/// cannot finish before its timeout, whatever the machine's speed, so the timeout is certain to end it; the gates open
/// only once the timeout's cancellation has reached every silo.
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
        var probe = new SiloCancellationProbe(fixture.Cluster);
        var options = new MapOptions { ChunkSize = 2, Timeout = Timeout };
        probe.BeforeCancel();

        var job = kind switch
        {
            // One gated number per chunk: [g, g + 11] in chunks of 1, every number gated.
            JobKind.Range => fixture.Client.RunRangeAsync(GateRangeKernel.Handle, (ulong)firstGate, (ulong)firstGate + 11, new RangeOptions { ChunkSize = 1, Timeout = Timeout }),
            JobKind.Map => fixture.Client.MapAsync(GateKernel.Handle, items, options),
            JobKind.MapUnordered => ConsumeAsync(fixture.Client.MapUnorderedAsync(GateKernel.Handle, items, options)),
            JobKind.MapStream => ConsumeAsync(fixture.Client.MapStreamAsync(GateKernel.Handle, items, options)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown job kind."),
        };
        // The gates stay shut until the timeout's cancellation is on every silo, so the job cannot have finished first.
        await probe.WaitUntilCancellationReachedEverySiloAsync();
        var entered = gates.All.Count(g => g.Entered == 1);
        gates.OpenAll();
        var error = await Assert.ThrowsAsync<JobTimeoutException>(() => job.WaitAsync(Eventually.Deadline));

        var kernel = kind == JobKind.Range ? GateRangeKernel.Handle.Id : GateKernel.Handle.Id;
        Assert.Contains(kernel, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"exceeded its timeout of {Timeout}.", error.Message, StringComparison.Ordinal);
        Assert.True(entered > 0, "no chunk reached its gate: the job ended before it ran");
        await probe.WaitUntilStoppedAndIdleAsync();
    }

    private static async Task ConsumeAsync<T>(IAsyncEnumerable<T> results)
    {
        await foreach (var _ in results)
        {
        }
    }
}
