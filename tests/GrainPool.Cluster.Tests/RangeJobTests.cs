using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using GrainPool.Kernels;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class RangeJobTests(ThreeSiloClusterFixture fixture)
{
    public static TheoryData<ulong> PowersOfTenUpToOneHundredMillion =>
        [.. ReferenceData.PrimeCounts.Select(row => row.X).Where(x => x <= 100_000_000)];

    public static TheoryData<ulong?, int> ChunkSizesAndWorkerCounts()
    {
        var data = new TheoryData<ulong?, int>();
        foreach (var chunkSize in new ulong?[] { null, 4_096, 65_536, 333_333, 1_000_000 })
        {
            foreach (var maxWorkers in new[] { 1, 2, 6 })
            {
                data.Add(chunkSize, maxWorkers);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PowersOfTenUpToOneHundredMillion))]
    public async Task Prime_count_from_zero_to_a_power_of_ten_is_the_published_pi(ulong x)
    {
        var result = await fixture.Client.CountPrimesAsync(0, x);

        Assert.Equal(ReferenceData.PiOf(x), result.Value);
    }

    [Fact]
    public async Task Prime_count_of_a_range_between_two_powers_of_ten_is_the_difference_of_their_pi()
    {
        var result = await fixture.Client.CountPrimesAsync(1_000_001, 10_000_000);

        Assert.Equal(ReferenceData.PiOf(10_000_000) - ReferenceData.PiOf(1_000_000), result.Value);
    }

    [Theory]
    [InlineData("prime-count/sieve")]
    [InlineData("prime-count/miller-rabin")]
    [InlineData("prime-count/trial")]
    public async Task Every_prime_count_method_gives_the_published_pi_of_one_million(string id)
    {
        RangeKernel<ulong>[] methods = [BuiltInKernels.PrimeCountSieve, BuiltInKernels.PrimeCountMillerRabin, BuiltInKernels.PrimeCountTrial];

        var result = await fixture.Client.CountPrimesAsync(0, 1_000_000, methods.Single(m => m.Id == id));

        Assert.Equal(ReferenceData.PiOf(1_000_000), result.Value);
        // Every lane takes its first chunk before any takes a second, so min(slots, chunks) distinct workers run.
        Assert.Equal(Math.Min(6, result.Stats.Chunks), result.Stats.Workers);
    }

    [Theory]
    [MemberData(nameof(ChunkSizesAndWorkerCounts))]
    public async Task Sqrt_sum_below_one_million_is_bit_identical_to_the_reference_for_any_chunking_and_worker_count(ulong? chunkSize, int maxWorkers)
    {
        const ulong N = 1_000_000;
        var result = await fixture.Client.SqrtSumAsync(0, N - 1, new RangeOptions { ChunkSize = chunkSize, MaxWorkers = maxWorkers });

        Assert.Equal(BitConverter.DoubleToInt64Bits(ReferenceData.SqrtSumBelow(N)), BitConverter.DoubleToInt64Bits(result.Value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(SqrtSum.Compute(0, N - 1)), BitConverter.DoubleToInt64Bits(result.Value));
        Assert.InRange(result.Stats.Workers, 1, maxWorkers);
        if (chunkSize is { } size)
        {
            Assert.Equal((long)((N + size - 1) / size), result.Stats.Chunks);
        }
    }

    [Fact]
    public async Task Sqrt_sums_of_every_reference_row_up_to_ten_million_are_the_exactly_rounded_values()
    {
        foreach (var (n, exact) in ReferenceData.SqrtSums.Where(row => row.N <= 10_000_000))
        {
            var result = await fixture.Client.SqrtSumAsync(0, n - 1);

            Assert.Equal(BitConverter.DoubleToInt64Bits(exact), BitConverter.DoubleToInt64Bits(result.Value));
        }
    }

    [Fact]
    public async Task Range_progress_reports_numbers_done_out_of_the_width_and_reaches_the_width()
    {
        const ulong Last = 10_000_000;
        const long Width = (long)Last + 1;
        var progress = new RecordingProgress();

        var result = await fixture.Client.CountPrimesAsync(0, Last, options: new RangeOptions { ChunkSize = 100_000, Progress = progress });

        Assert.Equal(ReferenceData.PiOf(Last), result.Value);
        var reports = progress.Reports;
        Assert.NotEmpty(reports);
        Assert.All(reports, r =>
        {
            Assert.Equal(Width, r.Total);
            Assert.InRange(r.Done, 1, Width);
            Assert.True(r.PerSecond > 0, $"rate {r.PerSecond}");
        });
        Assert.Single(reports, r => r.Done == Width);
        Assert.Equal(Width, reports.Max(r => r.Done));
    }

    [Fact]
    public async Task Square_sum_below_ten_million_is_the_seed_programs_exact_value()
    {
        var (n, expected) = ReferenceData.SeedSquareSum();

        var result = await fixture.Client.SquareSumAsync(0, n - 1);

        Assert.Equal(expected, result.Value);
        Assert.Equal(SquareSum.Partial(0, n - 1), result.Value);
    }
}
