using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class BadInputTests(ThreeSiloClusterFixture fixture)
{
    [Fact]
    public async Task Counting_primes_with_first_after_last_throws_naming_both_values()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.CountPrimesAsync(10, 5));

        Assert.Equal("first", error.ParamName);
        Assert.Equal(10UL, error.ActualValue);
        Assert.Contains("10", error.Message, StringComparison.Ordinal);
        Assert.Contains("5", error.Message, StringComparison.Ordinal);
        await AssertClusterStillServesAsync();
    }

    [Fact]
    public async Task An_unknown_range_kernel_id_fails_with_a_message_naming_it_and_the_registered_ones()
    {
        var unknown = new RangeKernel<ulong>("test/no-such-kernel", 0, Math.Max);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => fixture.Client.RunRangeAsync(unknown, 0, 1_000));

        Assert.Contains("Unknown kernel 'test/no-such-kernel'", error.Message, StringComparison.Ordinal);
        Assert.Contains(BuiltInKernels.PrimeCountSieve.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains(CollatzMaxStoppingTimeKernel.Handle.Id, error.Message, StringComparison.Ordinal);
        await AssertClusterStillServesAsync();
    }

    [Fact]
    public async Task An_unknown_item_kernel_id_fails_the_map_with_a_message_naming_it()
    {
        var unknown = new ItemKernel<long, bool>("test/no-such-item-kernel");

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => fixture.Client.MapAsync(unknown, MapTests.Range(1, 100)));

        Assert.Contains("Unknown kernel 'test/no-such-item-kernel'", error.Message, StringComparison.Ordinal);
        await AssertClusterStillServesAsync();
    }

    [Fact]
    public async Task A_handle_with_the_wrong_types_for_a_registered_kernel_fails_with_a_message_saying_so()
    {
        var wrongTypes = new RangeKernel<UInt128>(BuiltInKernels.PrimeCountSieve.Id, UInt128.Zero, (a, b) => a + b);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => fixture.Client.RunRangeAsync(wrongTypes, 0, 1_000));

        Assert.Contains($"Kernel '{BuiltInKernels.PrimeCountSieve.Id}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("wrong types", error.Message, StringComparison.Ordinal);
        await AssertClusterStillServesAsync();
    }

    [Fact]
    public async Task Out_of_range_sums_and_options_are_rejected_before_any_work_naming_the_value()
    {
        var sqrt = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.SqrtSumAsync(0, 1UL << 50));
        Assert.Equal(1UL << 50, sqrt.ActualValue);

        var squares = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.SquareSumAsync(0, 10_000_000_000_000));
        Assert.Equal(10_000_000_000_000UL, squares.ActualValue);

        var workers = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.CountPrimesAsync(0, 100, options: new RangeOptions { MaxWorkers = 0 }));
        Assert.Equal("MaxWorkers", workers.ParamName);

        var chunk = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.MapAsync(BuiltInKernels.IsPrimeTrial, MapTests.Range(1, 10), new MapOptions { ChunkSize = 0 }));
        Assert.Contains("ChunkSize", chunk.ParamName, StringComparison.Ordinal);

        await AssertClusterStillServesAsync();
    }

    private async Task AssertClusterStillServesAsync()
    {
        var result = await fixture.Client.CountPrimesAsync(0, 10_000_000);

        Assert.Equal(ReferenceData.PiOf(10_000_000), result.Value);
    }
}
