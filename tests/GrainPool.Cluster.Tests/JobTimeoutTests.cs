using System.Diagnostics.Metrics;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// <see cref="JobOptions.Timeout"/> for every job kind: a job whose chunks are held at <see cref="GateKernel"/> gates
/// cannot finish before its timeout, whatever the machine's speed, so the timeout is certain to end it; the gates open
/// only once the timeout's cancellation has reached every silo. Every kind records the timeout the same way in the
/// client's metrics: a failed job of error type JobTimeoutException, never a cancelled one.
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
        CountPrimes,
        MapStreamOfAsyncItems,
        Submit,
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    [Theory]
    [InlineData(JobKind.Range)]
    [InlineData(JobKind.Map)]
    [InlineData(JobKind.MapUnordered)]
    [InlineData(JobKind.MapStream)]
    [InlineData(JobKind.CountPrimes)]
    [InlineData(JobKind.MapStreamOfAsyncItems)]
    [InlineData(JobKind.Submit)]
    public async Task A_job_held_past_its_timeout_fails_with_JobTimeoutException_naming_the_kernel_and_leaves_the_workers_free(JobKind kind)
    {
        var firstGate = 9_600_000 + ((long)kind * 1_000);
        var (items, gates) = CancellationTests.GatedMapItems(firstGate);
        using var _ = gates;
        var probe = new SiloCancellationProbe(fixture.Cluster);
        var options = new MapOptions { ChunkSize = 2, Timeout = Timeout };
        var rangeOptions = new RangeOptions { ChunkSize = 1, Timeout = Timeout };
        using var outcomes = new JobOutcomeListener();
        probe.BeforeCancel();

        var job = kind switch
        {
            // One gated number per chunk: [g, g + 11] in chunks of 1, every number gated.
            JobKind.Range => fixture.Client.RunRangeAsync(GateRangeKernel.Handle, (ulong)firstGate, (ulong)firstGate + 11, rangeOptions),
            // The named range helpers run through the same job: prime counting with a (gated) method of the caller's.
            JobKind.CountPrimes => fixture.Client.CountPrimesAsync((ulong)firstGate, (ulong)firstGate + 11, GateRangeKernel.Handle, rangeOptions),
            JobKind.Map => fixture.Client.MapAsync(GateKernel.Handle, items, options),
            JobKind.MapUnordered => ConsumeAsync(fixture.Client.MapUnorderedAsync(GateKernel.Handle, items, options)),
            JobKind.MapStream => ConsumeAsync(fixture.Client.MapStreamAsync(GateKernel.Handle, items, options)),
            JobKind.MapStreamOfAsyncItems => ConsumeAsync(fixture.Client.MapStreamAsync(GateKernel.Handle, items.ToAsyncEnumerable(), options)),
            // One item, the first gated value.
            JobKind.Submit => fixture.Client.SubmitAsync(GateKernel.Handle, items[0], new JobOptions { Timeout = Timeout }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown job kind."),
        };
        // The gates stay shut until the timeout's cancellation is on every silo, so the job cannot have finished first.
        await probe.WaitUntilCancellationReachedEverySiloAsync();
        var entered = gates.All.Count(g => g.Entered == 1);
        gates.OpenAll();
        var error = await Assert.ThrowsAsync<JobTimeoutException>(() => job.WaitAsync(Eventually.Deadline));

        var kernel = kind is JobKind.Range or JobKind.CountPrimes ? GateRangeKernel.Handle.Id : GateKernel.Handle.Id;
        Assert.Contains(kernel, error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"exceeded its timeout of {Timeout}.", error.Message, StringComparison.Ordinal);
        Assert.True(entered > 0, "no chunk reached its gate: the job ended before it ran");
        await probe.WaitUntilStoppedAndIdleAsync();
        // The job's outcome is recorded before its error reaches the caller.
        Assert.Equal([(kernel, "failed", nameof(JobTimeoutException))], outcomes.Ended.Where(e => e.Kernel == kernel));
    }

    private static async Task ConsumeAsync<T>(IAsyncEnumerable<T> results)
    {
        await foreach (var _ in results)
        {
        }
    }
}

/// <summary>
/// The client meter's job outcomes while it listens: (kernel, counter, error) for each job that failed or was cancelled.
/// The cluster tests run one at a time, so every job ended here is the test's own.
/// </summary>
internal sealed class JobOutcomeListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Kernel, string Outcome, string? Error)> _ended = [];

    public JobOutcomeListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ClientMetrics.MeterName && instrument.Name is "grainpool.client.jobs.failed" or "grainpool.client.jobs.cancelled")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            string? kernel = null;
            string? error = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "kernel":
                        kernel = tag.Value as string;
                        break;
                    case "error":
                        error = tag.Value as string;
                        break;
                }
            }

            lock (_ended)
            {
                _ended.Add((kernel ?? "?", instrument.Name == "grainpool.client.jobs.failed" ? "failed" : "cancelled", error));
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<(string Kernel, string Outcome, string? Error)> Ended
    {
        get
        {
            lock (_ended)
            {
                return [.. _ended];
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
