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
        var unknown = KernelHandle.For(new UnregisteredRangeKernel<ulong>("test/no-such-kernel", 0, Math.Max));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => fixture.Client.RunRangeAsync(unknown, 0, 1_000));

        Assert.Contains("Unknown kernel 'test/no-such-kernel'", error.Message, StringComparison.Ordinal);
        Assert.Contains(BuiltInKernels.PrimeCountSieve.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains(CollatzMaxStoppingTimeKernel.Handle.Id, error.Message, StringComparison.Ordinal);
        await AssertClusterStillServesAsync();
    }

    [Fact]
    public async Task An_unknown_item_kernel_id_fails_the_map_with_a_message_naming_it()
    {
        var unknown = KernelHandle.For(new UnregisteredItemKernel<long, bool>("test/no-such-item-kernel"));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => fixture.Client.MapAsync(unknown, MapTests.Range(1, 100)));

        Assert.Contains("Unknown kernel 'test/no-such-item-kernel'", error.Message, StringComparison.Ordinal);
        await AssertClusterStillServesAsync();
    }

    [Fact]
    public async Task A_handle_with_the_wrong_types_for_a_registered_kernel_fails_with_a_message_saying_so()
    {
        var wrongTypes = KernelHandle.For(new UnregisteredRangeKernel<UInt128>(BuiltInKernels.PrimeCountSieve.Id, UInt128.Zero, (a, b) => a + b));

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

    public static TheoryData<string, string> InvalidOptionsAndEntryPoints()
    {
        var data = new TheoryData<string, string>();
        foreach (var option in new[] { nameof(JobOptions.InFlightPerWorker), nameof(JobOptions.MaxChunkRetries), nameof(JobOptions.TargetChunkDuration), nameof(JobOptions.Timeout) })
        {
            foreach (var entry in new[] { "RunRangeAsync", "MapAsync", "MapUnorderedAsync", "MapStreamAsync" })
            {
                data.Add(option, entry);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidOptionsAndEntryPoints))]
    public async Task An_out_of_range_job_option_is_rejected_before_any_work_naming_the_option_and_its_value(string option, string entryPoint)
    {
        // The smallest invalid value of each option.
        object value = option switch
        {
            nameof(JobOptions.InFlightPerWorker) => 0,
            nameof(JobOptions.MaxChunkRetries) => -1,
            _ => TimeSpan.Zero,
        };
        RangeOptions range = option switch
        {
            nameof(JobOptions.InFlightPerWorker) => new() { InFlightPerWorker = 0 },
            nameof(JobOptions.MaxChunkRetries) => new() { MaxChunkRetries = -1 },
            nameof(JobOptions.TargetChunkDuration) => new() { TargetChunkDuration = TimeSpan.Zero },
            _ => new() { Timeout = TimeSpan.Zero },
        };
        MapOptions map = option switch
        {
            nameof(JobOptions.InFlightPerWorker) => new() { InFlightPerWorker = 0 },
            nameof(JobOptions.MaxChunkRetries) => new() { MaxChunkRetries = -1 },
            nameof(JobOptions.TargetChunkDuration) => new() { TargetChunkDuration = TimeSpan.Zero },
            _ => new() { Timeout = TimeSpan.Zero },
        };
        var items = MapTests.Range(1, 100);
        var activities = fixture.Cluster.Silos.Select(GrainPoolTestCluster.ActivityOf).ToArray();
        var chunksBefore = activities.Sum(a => a.Completed + a.Cancelled);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            switch (entryPoint)
            {
                case "RunRangeAsync":
                    await fixture.Client.RunRangeAsync(BuiltInKernels.PrimeCountSieve, 0, 1_000_000, range);
                    break;
                case "MapAsync":
                    await fixture.Client.MapAsync(BuiltInKernels.IsPrimeTrial, items, map);
                    break;
                case "MapUnorderedAsync":
                    await foreach (var _ in fixture.Client.MapUnorderedAsync(BuiltInKernels.IsPrimeTrial, items, map))
                    {
                    }

                    break;
                default:
                    await foreach (var _ in fixture.Client.MapStreamAsync(BuiltInKernels.IsPrimeTrial, items, map))
                    {
                    }

                    break;
            }
        });

        Assert.Equal(option, error.ParamName);
        Assert.Equal(value, error.ActualValue);
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
        Assert.Equal(chunksBefore, activities.Sum(a => a.Completed + a.Cancelled));
    }

    private async Task AssertClusterStillServesAsync()
    {
        var result = await fixture.Client.CountPrimesAsync(0, 10_000_000);

        Assert.Equal(ReferenceData.PiOf(10_000_000), result.Value);
    }
}
