using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using Orleans.Configuration;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// Results larger than one Orleans message may carry (<see cref="MessagingOptions.MaxMessageBodySize"/>, set to 1 MB on
/// these silos): a response over the limit cannot be sent, and Orleans then closes the connection it was to go on. So
/// a silo sends a chunk's results in as many messages as they need, and an item whose result alone is over the limit
/// fails with an error that names it and the option, while other jobs go on. Results are checked against what the
/// kernel returns by definition (a text of as many characters as the item says), computed here.
/// </summary>
[Collection(ClusterShapeCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class ResultSizeTests
{
    private const int Limit = 1 << 20;

    [Fact]
    public async Task An_item_whose_result_is_too_large_for_a_message_fails_naming_the_item_and_the_option_and_a_job_beside_it_finishes()
    {
        await using var cluster = await StartAsync();
        long[] items = [10, 20, 2 * Limit, 30, Limit / 2];
        var beside = cluster.Client.CountPrimesAsync(0, 10_000_000);

        var collected = await cluster.Client.MapAsync(LongTextKernel.Handle, items, new MapOptions { Errors = ItemErrorMode.Collect, ChunkSize = items.Length });
        var failFast = await Assert.ThrowsAsync<ItemFailedException>(() => cluster.Client.MapAsync(LongTextKernel.Handle, items, new MapOptions { ChunkSize = 2 }));

        var failure = Assert.Single(collected.Failures);
        Assert.Equal(2, failure.Index);
        Assert.Equal(2L * Limit, Assert.IsType<long>(failure.Item));
        Assert.Contains(nameof(MessagingOptions.MaxMessageBodySize), failure.Message, StringComparison.Ordinal);
        Assert.Contains($"{Limit}", failure.Message, StringComparison.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            Assert.Equal(i == 2 ? null : new string('t', (int)items[i]), collected.Results[i]);
        }

        Assert.Equal(2, failFast.Failure.Index);
        Assert.Contains($"Item 2 (value {2 * Limit})", failFast.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(MessagingOptions.MaxMessageBodySize), failFast.Message, StringComparison.Ordinal);
        Assert.Equal(ReferenceData.PiOf(10_000_000), (await beside).Value);

        // The silos and their connections are fine: the next map of small results runs.
        var after = await cluster.Client.MapAsync(LongTextKernel.Handle, [1L, 2, 3]);
        Assert.Equal(["t", "tt", "ttt"], after.Results);
    }

    [Fact]
    public async Task Results_that_fit_a_message_one_by_one_but_not_together_come_back_each_exactly_once()
    {
        await using var cluster = await StartAsync();
        // One chunk of 12 results of 300,000 characters: 3.6 MB, at least 4 messages of 1 MB.
        var items = Enumerable.Range(0, 12).Select(i => 300_000L + i).ToArray();
        var seen = new int[items.Length];

        var ordered = await cluster.Client.MapAsync(LongTextKernel.Handle, items, new MapOptions { ChunkSize = items.Length });
        await foreach (var r in cluster.Client.MapUnorderedAsync(LongTextKernel.Handle, items, new MapOptions { ChunkSize = items.Length }))
        {
            seen[r.Index]++;
            Assert.Equal(new string('t', (int)items[r.Index]), r.Result);
        }

        Assert.Equal(items.Select(i => new string('t', (int)i)), ordered.Results);
        Assert.Empty(ordered.Failures);
        Assert.Equal(1, ordered.Stats.Chunks);
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    /// <summary>
    /// A fixed chunk of 300,000 longs (2.4 MB of items and as much of results) on a 1 MB limit (client and silos): the
    /// client sends no request over the limit (the chunk is cut to what one message carries), and the silo sends no
    /// response over it. The rejected item is reported at its own index.
    /// </summary>
    [Fact]
    public async Task Raw_items_and_results_over_the_limit_travel_in_several_messages_with_each_failure_at_its_own_index()
    {
        await using var cluster = await StartAsync();
        const int rejected = 200_000;
        var items = MapTests.Range(RejectOneValueKernel.RejectedValue - rejected, RejectOneValueKernel.RejectedValue + 99_999);

        var result = await cluster.Client.MapAsync(RejectOneValueKernel.Handle, items, new MapOptions { ChunkSize = items.Length, Errors = ItemErrorMode.Collect });

        Assert.InRange(result.Stats.Chunks, 3, 4); // 2.4 MB of items at under 1 MB a request
        Assert.Equal(rejected, Assert.Single(result.Failures).Index);
        Assert.Equal(items.Select((v, i) => i == rejected ? 0 : RejectOneValueKernel.Expected(v)), result.Results);
    }

    private static Task<GrainPoolTestCluster> StartAsync() =>
        GrainPoolTestCluster.StartAsync(
            [1, 1],
            initialSilos: 2,
            configureClient: client => client.Configure<ClientMessagingOptions>(o => o.MaxMessageBodySize = Limit),
            configureSilo: silo => silo.Configure<SiloMessagingOptions>(o => o.MaxMessageBodySize = Limit));
}
