using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class MapTests(ThreeSiloClusterFixture fixture)
{
    [Fact]
    public async Task Map_of_is_prime_over_one_to_one_hundred_thousand_returns_the_seed_results_in_input_order()
    {
        var (last, primes) = ReferenceData.SeedPrimeMap();
        var items = Range(1, last);

        var result = await fixture.Client.MapAsync(BuiltInKernels.IsPrimeTrial, items);

        Assert.Equal(primes, result.Results.Count(isPrime => isPrime));
        Assert.Equal(items.Select(n => ReferenceSieve.Shared.IsPrime((ulong)n)), result.Results);
        Assert.Empty(result.Failures);
        Assert.Equal(6, result.Stats.Workers);
        Assert.Equal(3, result.Stats.Silos);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(777)]
    [InlineData(100_000)]
    public async Task Map_with_any_chunk_size_equals_the_reference_primality_item_by_item(int chunkSize)
    {
        var items = Range(999_000_000_000, 999_000_010_000);

        var result = await fixture.Client.MapAsync(BuiltInKernels.IsPrimeMillerRabin, items, new MapOptions { ChunkSize = chunkSize });

        Assert.Equal(items.Select(n => ReferencePrimality.IsPrime((ulong)n)), result.Results);
        Assert.Equal((items.Length + chunkSize - 1) / chunkSize, result.Stats.Chunks);
    }

    [Fact]
    public async Task Default_chunks_of_slow_items_are_paced_to_the_target_duration_not_the_count_rule()
    {
        // 120 items of 20 ms each on 6 workers: the count rule alone (about 4 chunks per worker) gives 24 chunks of 5
        // items, 100 ms each; paced to 40 ms a chunk they hold about 2 items, so the job runs as 50 or more chunks. With
        // items of minutes, that is what keeps each call inside Orleans' 30 s response timeout.
        var items = Enumerable.Repeat(20_000L, 120).ToArray();

        var result = await fixture.Client.MapAsync(SpinMicrosecondsKernel.Handle, items, new MapOptions { TargetChunkDuration = TimeSpan.FromMilliseconds(40) });

        Assert.Equal(items, result.Results);
        Assert.InRange(result.Stats.Chunks, 40, items.Length);
    }

    [Fact]
    public async Task Progress_reports_items_done_out_of_the_total_and_ends_with_all_of_them()
    {
        var items = Range(1, 200_000);
        var progress = new RecordingProgress();

        var result = await fixture.Client.MapAsync(BuiltInKernels.IsPrimeTrial, items, new MapOptions { ChunkSize = 5_000, Progress = progress });

        Assert.Equal(items.Select(n => ReferenceSieve.Shared.IsPrime((ulong)n)), result.Results);
        var reports = progress.Reports;
        Assert.NotEmpty(reports);
        Assert.All(reports, r =>
        {
            Assert.Equal(items.Length, r.Total);
            Assert.InRange(r.Done, 1, items.Length);
            Assert.True(r.PerSecond > 0, $"rate {r.PerSecond}");
        });
        Assert.Equal(items.Length, reports.Max(r => r.Done));
    }

    [Fact]
    public async Task Busy_seconds_cover_at_least_the_kernels_spin_time_and_at_most_every_workers_elapsed_time()
    {
        // 60 items that each keep their worker busy for 20 ms of wall time: 1.2 s of kernel time in all, by construction.
        var items = Enumerable.Repeat(20_000L, 60).ToArray();
        var spun = TimeSpan.FromMicroseconds(items.Sum()).TotalSeconds;

        var result = await fixture.Client.MapAsync(SpinMicrosecondsKernel.Handle, items, new MapOptions { ChunkSize = 5 });

        Assert.Equal(items, result.Results);
        // Each worker's busy time lies inside the job's elapsed time; 1% slack for the two clocks' rounding.
        Assert.InRange(result.Stats.BusySeconds, spun, result.Stats.Elapsed.TotalSeconds * result.Stats.Workers * 1.01);
    }

    [Fact]
    public async Task Submitted_items_spread_over_the_workers()
    {
        var threads = new HashSet<int>();
        for (var i = 0; i < 60; i++)
        {
            threads.Add(await fixture.Client.SubmitAsync(ThreadIdentityKernel.Handle, i));
        }

        // Each worker computes on a thread of its own: 60 submissions to 6 workers at random land on more than one.
        Assert.InRange(threads.Count, 2, 6);
        Assert.All(threads, id => Assert.True(id > 0, $"thread {id} belongs to the .NET thread pool"));
    }

    [Fact]
    public async Task Cancelling_a_submitted_item_reaches_its_silo_and_leaves_every_worker_idle()
    {
        const long Gated = 9_500_000;
        using var gates = GateKernel.Arm(Gated);
        var activities = fixture.Cluster.Silos.Select(GrainPoolTestCluster.ActivityOf).ToArray();
        var jobs = fixture.Cluster.Silos.Select(GrainPoolTestCluster.JobCancellationsOf).ToArray();
        using var cancellation = new CancellationTokenSource();

        var submit = fixture.Client.SubmitAsync(GateKernel.Handle, Gated, cancellation.Token);
        await gates[Gated].WaitEnteredAsync(Eventually.Deadline);
        var cancelledAt = System.Diagnostics.Stopwatch.GetTimestamp();
        await cancellation.CancelAsync();

        await Eventually.UntilAsync(() => jobs.All(j => j.LastCancelledAt >= cancelledAt), Eventually.Deadline, () => "the submit's cancellation to reach every silo");
        Assert.Equal(1, activities.Sum(a => a.Running));
        gates.OpenAll();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => submit.WaitAsync(Eventually.Deadline));
        await Eventually.UntilAsync(
            () => activities.All(a => a.Running == 0),
            Eventually.Deadline,
            () => "every worker to be idle after the cancelled submit");
    }

    [Fact]
    public async Task Map_unordered_yields_every_index_exactly_once_with_its_own_result()
    {
        var items = Range(1, 100_000);
        var seen = new int[items.Length];

        await foreach (var (index, isPrime) in fixture.Client.MapUnorderedAsync(BuiltInKernels.IsPrimeTrial, items, new MapOptions { ChunkSize = 997 }))
        {
            seen[index]++;
            Assert.Equal(ReferenceSieve.Shared.IsPrime((ulong)items[(int)index]), isPrime);
        }

        Assert.All(seen, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Submit_runs_one_item_on_a_worker_and_returns_its_result()
    {
        long[] items = [0, 1, 2, 97, 561, 1_000_000_007, 999_999_999_989, 999_999_999_999];

        foreach (var item in items)
        {
            Assert.Equal(ReferencePrimality.IsPrime((ulong)item), await fixture.Client.SubmitAsync(BuiltInKernels.IsPrimeMillerRabin, item));
        }

        Assert.Equal(RejectOneValueKernel.Expected(20), await fixture.Client.SubmitAsync(RejectOneValueKernel.Handle, 20L));
    }

    [Fact]
    public async Task Concurrent_jobs_from_one_client_each_get_their_own_results()
    {
        var items = Range(1, 50_000);
        var (n, squareSum) = ReferenceData.SeedSquareSum();

        var map = fixture.Client.MapAsync(BuiltInKernels.IsPrimeTrial, items);
        var count = fixture.Client.CountPrimesAsync(0, 10_000_000);
        var squares = fixture.Client.SquareSumAsync(0, n - 1);
        await Task.WhenAll(map, count, squares);

        Assert.Equal(items.Select(n => ReferenceSieve.Shared.IsPrime((ulong)n)), (await map).Results);
        Assert.Equal(ReferenceData.PiOf(10_000_000), (await count).Value);
        Assert.Equal(squareSum, (await squares).Value);
    }

    [Fact]
    public async Task Concurrent_maps_with_pooled_buffers_each_get_their_own_results_item_by_item()
    {
        // Item batches and results travel in pooled arrays (PackedArray): an array returned to the pool while still read,
        // or returned twice, would show as another map's values, or an earlier chunk's, in these results. Twelve maps at
        // once, twice over, with chunk sizes that leave short last chunks (rented arrays larger than their values), each
        // over its own values, some with a failing item whose place must hold 0, checked against 2x + 1 computed here.
        for (var round = 0; round < 2; round++)
        {
            var jobs = Enumerable.Range(0, 12).Select(async m =>
            {
                var first = 1 + (m * 100_000L);
                var items = Range(first, first + 3_000 + (m * 517));
                if (m % 3 == 0)
                {
                    items[m * 11] = RejectOneValueKernel.RejectedValue;
                }

                var options = new MapOptions { ChunkSize = 97 + (m * 131), Errors = ItemErrorMode.Collect };
                var ordered = await fixture.Client.MapAsync(RejectOneValueKernel.Handle, items, options);
                var unordered = new long[items.Length];
                await foreach (var r in fixture.Client.MapUnorderedAsync(RejectOneValueKernel.Handle, items, options))
                {
                    unordered[r.Index] = r.Result;
                }

                var streamed = new List<long>();
                await foreach (var r in fixture.Client.MapStreamAsync(RejectOneValueKernel.Handle, items, options))
                {
                    streamed.Add(r);
                }

                return (items, ordered.Results, unordered, streamed);
            }).ToArray();

            foreach (var (items, ordered, unordered, streamed) in await Task.WhenAll(jobs))
            {
                var expected = items.Select(i => i == RejectOneValueKernel.RejectedValue ? 0 : RejectOneValueKernel.Expected(i)).ToArray();
                Assert.Equal(expected, ordered);
                Assert.Equal(expected, unordered);
                Assert.Equal(expected, streamed);
            }
        }
    }

    internal static long[] Range(long first, long last) => [.. Enumerable.Range(0, checked((int)(last - first + 1))).Select(i => first + i)];
}
