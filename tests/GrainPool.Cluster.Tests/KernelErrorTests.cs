using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class KernelErrorTests(ThreeSiloClusterFixture fixture)
{
    private const long Rejected = RejectOneValueKernel.RejectedValue;
    private static readonly long[] Items = MapTests.Range(1, 10_000);
    private static readonly long RejectedIndex = Array.IndexOf(Items, Rejected);

    [Fact]
    public async Task A_failing_item_fails_the_map_with_its_index_and_value()
    {
        var error = await Assert.ThrowsAsync<ItemFailedException>(() => fixture.Client.MapAsync(RejectOneValueKernel.Handle, Items));

        Assert.Equal(RejectedIndex, error.Failure.Index);
        Assert.Equal(Rejected, Assert.IsType<long>(error.Failure.Item));
        Assert.Equal(nameof(ArgumentOutOfRangeException), error.Failure.ErrorType);
        Assert.Contains(Rejected.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Failure.Message, StringComparison.Ordinal);
        Assert.Contains($"Item {RejectedIndex} (value {Rejected})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_item_reports_exactly_the_items_completed_before_the_job_stopped()
    {
        // One worker, one chunk in flight, chunks of 10: the chunks run one after another, so when the chunk holding the
        // rejected item (index 41, in the fifth chunk) returns, the four chunks before it (40 items) and its 9 other
        // items are done, and no later chunk has started.
        var items = MapTests.Range(Rejected - 41, Rejected + 58);

        var error = await Assert.ThrowsAsync<ItemFailedException>(() => fixture.Client.MapAsync(
            RejectOneValueKernel.Handle, items, new MapOptions { ChunkSize = 10, MaxWorkers = 1, InFlightPerWorker = 1 }));

        Assert.Equal(41, error.Failure.Index);
        Assert.Equal(Rejected, Assert.IsType<long>(error.Failure.Item));
        Assert.Equal(49, error.CompletedItems);
    }

    [Fact]
    public async Task Collecting_errors_completes_the_map_with_every_other_result_and_only_the_failing_item_listed()
    {
        var result = await fixture.Client.MapAsync(RejectOneValueKernel.Handle, Items, new MapOptions { Errors = ItemErrorMode.Collect, ChunkSize = 333 });

        var failure = Assert.Single(result.Failures);
        Assert.Equal(RejectedIndex, failure.Index);
        Assert.Equal(Rejected, Assert.IsType<long>(failure.Item));
        Assert.Equal(nameof(ArgumentOutOfRangeException), failure.ErrorType);
        for (var i = 0; i < Items.Length; i++)
        {
            Assert.Equal(i == RejectedIndex ? 0 : RejectOneValueKernel.Expected(Items[i]), result.Results[i]);
        }
    }

    [Fact]
    public async Task A_kernel_bug_of_any_exception_type_fails_the_map_naming_the_item()
    {
        var error = await Assert.ThrowsAsync<ItemFailedException>(() => fixture.Client.MapAsync(BuggyKernel.Handle, MapTests.Range(1, 1_000)));

        Assert.Equal(BuggyKernel.NullValue - 1, error.Failure.Index);
        Assert.Equal(BuggyKernel.NullValue, Assert.IsType<long>(error.Failure.Item));
        Assert.Equal(nameof(NullReferenceException), error.Failure.ErrorType);
        Assert.Contains($"Item {BuggyKernel.NullValue - 1} (value {BuggyKernel.NullValue})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collecting_errors_lists_kernel_bugs_of_any_type_and_keeps_every_other_result()
    {
        var items = MapTests.Range(1, 10_000);

        var result = await fixture.Client.MapAsync(BuggyKernel.Handle, items, new MapOptions { Errors = ItemErrorMode.Collect, ChunkSize = 700 });

        Assert.Collection(
            result.Failures,
            f =>
            {
                Assert.Equal(BuggyKernel.NullValue - 1, f.Index);
                Assert.Equal(BuggyKernel.NullValue, Assert.IsType<long>(f.Item));
                Assert.Equal(nameof(NullReferenceException), f.ErrorType);
            },
            f =>
            {
                Assert.Equal(BuggyKernel.OwnErrorValue - 1, f.Index);
                Assert.Equal(BuggyKernel.OwnErrorValue, Assert.IsType<long>(f.Item));
                Assert.Equal(nameof(BuggyKernelException), f.ErrorType);
                Assert.Equal($"no triple for {BuggyKernel.OwnErrorValue}", f.Message);
            });
        for (var i = 0; i < items.Length; i++)
        {
            var failed = items[i] is BuggyKernel.NullValue or BuggyKernel.OwnErrorValue;
            Assert.Equal(failed ? 0 : BuggyKernel.Expected(items[i]), result.Results[i]);
        }
    }

    [Fact]
    public async Task Collecting_errors_in_an_unordered_map_skips_the_failing_item_and_reports_it_once()
    {
        var failures = new List<ItemFailure>();
        var seen = new int[Items.Length];

        await foreach (var (index, value) in fixture.Client.MapUnorderedAsync(
            RejectOneValueKernel.Handle, Items, new MapOptions { Errors = ItemErrorMode.Collect, ChunkSize = 500 }, failure => { lock (failures) { failures.Add(failure); } }))
        {
            seen[index]++;
            Assert.Equal(RejectOneValueKernel.Expected(Items[index]), value);
        }

        var reported = Assert.Single(failures);
        Assert.Equal(RejectedIndex, reported.Index);
        Assert.Equal(Rejected, Assert.IsType<long>(reported.Item));
        Assert.Equal(Enumerable.Range(0, Items.Length).Select(i => i == RejectedIndex ? 0 : 1), seen);
    }

    [Fact]
    public async Task A_failing_item_stops_a_stream_map_after_the_results_before_it_in_order()
    {
        var received = new List<long>();

        var error = await Assert.ThrowsAsync<ItemFailedException>(async () =>
        {
            await foreach (var value in fixture.Client.MapStreamAsync(RejectOneValueKernel.Handle, Items.AsEnumerable(), new MapOptions { ChunkSize = 100 }))
            {
                received.Add(value);
            }
        });

        Assert.Equal(RejectedIndex, error.Failure.Index);
        Assert.Equal(Rejected, Assert.IsType<long>(error.Failure.Item));
        Assert.InRange(received.Count, 0, RejectedIndex);
        Assert.Equal(Items.Take(received.Count).Select(RejectOneValueKernel.Expected), received);
    }

    [Fact]
    public async Task Collecting_errors_in_a_stream_map_reports_the_failing_item_before_its_placeholder()
    {
        var failures = new List<ItemFailure>();
        var received = new List<long>();

        await foreach (var value in fixture.Client.MapStreamAsync(
            RejectOneValueKernel.Handle, Items.AsEnumerable(), new MapOptions { Errors = ItemErrorMode.Collect, ChunkSize = 100 }, failure => { lock (failures) { failures.Add(failure); } }))
        {
            if (received.Count == RejectedIndex)
            {
                lock (failures)
                {
                    Assert.Single(failures);
                }
            }

            received.Add(value);
        }

        var reported = Assert.Single(failures);
        Assert.Equal(RejectedIndex, reported.Index);
        Assert.Equal(Rejected, Assert.IsType<long>(reported.Item));
        Assert.Equal(nameof(ArgumentOutOfRangeException), reported.ErrorType);
        Assert.Equal(Items.Select((item, i) => i == RejectedIndex ? 0 : RejectOneValueKernel.Expected(item)), received);
    }

    [Fact]
    public async Task Submitting_the_failing_item_throws_with_its_value()
    {
        var error = await Assert.ThrowsAsync<ItemFailedException>(() => fixture.Client.SubmitAsync(RejectOneValueKernel.Handle, Rejected));

        Assert.Equal(Rejected, Assert.IsType<long>(error.Failure.Item));
        Assert.Contains(Rejected.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_map_does_not_disturb_a_concurrent_job_of_another_caller()
    {
        // Another caller: its own GrainPoolClient over the same cluster client.
        var other = new GrainPoolClient(fixture.Cluster.Cluster.Client);

        var failing = fixture.Client.MapAsync(RejectOneValueKernel.Handle, Items, new MapOptions { ChunkSize = 10 });
        var concurrent = other.CountPrimesAsync(0, 100_000_000, BuiltInKernels.PrimeCountSieve);
        var error = await Assert.ThrowsAsync<ItemFailedException>(() => failing);

        Assert.Equal(RejectedIndex, error.Failure.Index);
        Assert.Equal(ReferenceData.PiOf(100_000_000), (await concurrent).Value);
        Assert.Equal(ReferenceData.PiOf(1_000_000), (await fixture.Client.CountPrimesAsync(0, 1_000_000)).Value);
    }
}
