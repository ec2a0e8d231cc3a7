using System.Globalization;
using System.Text.RegularExpressions;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using Orleans.Configuration;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// Results larger than one Orleans message may carry (<see cref="MessagingOptions.MaxMessageBodySize"/>, set to 1 MB on
/// these silos): a response over the limit cannot be sent, and Orleans then closes the connection it was to go on. So
/// a silo sends a chunk's results in as many messages as they need, and an item whose result alone is over the limit
/// fails with an error that names it and the option, while other jobs go on; a range chunk whose partial result is over
/// the limit is computed again in halves. Results are checked against what the kernel returns by definition (a text of
/// as many characters as the item says, the multiples of 7 in a range), computed here.
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

    /// <summary>
    /// Items with references are sized by serializing them: a fixed chunk of 12 texts of 300,000 characters (3.6 MB) on
    /// a 1 MB limit goes in several requests, each text's result exactly once; a text over the limit on its own is not
    /// sent and fails as an item naming its size and the option, in Collect and FailFast modes, while a job beside it
    /// finishes and the next map runs.
    /// </summary>
    [Fact]
    public async Task Items_too_large_for_one_request_travel_in_several_and_an_item_too_large_alone_fails_naming_its_size_and_the_option()
    {
        await using var cluster = await StartAsync();
        var texts = Enumerable.Range(0, 12).Select(i => new string('x', 300_000 + i)).ToArray();
        var beside = cluster.Client.CountPrimesAsync(0, 10_000_000);

        var whole = await cluster.Client.MapAsync(TextLengthKernel.Handle, texts, new MapOptions { ChunkSize = texts.Length });
        var seen = new int[texts.Length];
        await foreach (var r in cluster.Client.MapUnorderedAsync(TextLengthKernel.Handle, texts, new MapOptions { ChunkSize = texts.Length }))
        {
            seen[r.Index]++;
            Assert.Equal(texts[r.Index].Length, r.Result);
        }

        Assert.Equal(texts.Select(t => (long)t.Length), whole.Results);
        Assert.Empty(whole.Failures);
        Assert.Equal(1, whole.Stats.Chunks);
        Assert.All(seen, count => Assert.Equal(1, count));

        string[] mixed = ["a", new string('y', 2 * Limit), "bcd", new string('z', 3 * Limit), "ef"];
        var collected = await cluster.Client.MapAsync(TextLengthKernel.Handle, mixed, new MapOptions { ChunkSize = mixed.Length, Errors = ItemErrorMode.Collect });
        Assert.Equal(new long[] { 1, 0, 3, 0, 2 }, collected.Results);
        Assert.Equal([1, 3], collected.Failures.Select(f => f.Index));
        Assert.All(collected.Failures, f =>
        {
            Assert.Equal(MessageFit.ItemTooLargeErrorType, f.ErrorType);
            Assert.Contains(nameof(MessagingOptions.MaxMessageBodySize), f.Message, StringComparison.Ordinal);
            Assert.Contains($"{Limit}", f.Message, StringComparison.Ordinal);
        });
        var size = long.Parse(Regex.Match(collected.Failures[0].Message, @"takes (\d+) bytes").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(size, 2L * Limit, (2L * Limit) + 64); // the text's characters (one byte each) and a few bytes of header

        // One-item chunks run on both workers at once: whichever of the two too-large items is met first fails the map.
        var failFast = await Assert.ThrowsAsync<ItemFailedException>(() => cluster.Client.MapAsync(TextLengthKernel.Handle, mixed, new MapOptions { ChunkSize = 1 }));
        Assert.Contains(failFast.Failure.Index, new long[] { 1, 3 });
        Assert.Equal(MessageFit.ItemTooLargeErrorType, failFast.Failure.ErrorType);
        Assert.Contains($"({mixed[failFast.Failure.Index].Length} characters)", failFast.Message, StringComparison.Ordinal); // the item's value is not echoed whole
        Assert.InRange(failFast.Message.Length, 1, 1000);
        var single = await Assert.ThrowsAsync<ItemFailedException>(() => cluster.Client.SubmitAsync(TextLengthKernel.Handle, mixed[3]));
        Assert.Equal(MessageFit.ItemTooLargeErrorType, single.Failure.ErrorType);

        Assert.Equal(ReferenceData.PiOf(10_000_000), (await beside).Value);
        var after = await cluster.Client.MapAsync(TextLengthKernel.Handle, ["a", "bb", "ccc"]);
        Assert.Equal([1L, 2, 3], after.Results);
    }

    [Fact]
    public async Task A_range_chunk_whose_partial_result_is_too_large_is_computed_again_in_parts_and_a_single_number_too_large_fails_naming_it()
    {
        await using var cluster = await StartAsync();
        var beside = cluster.Client.CountPrimesAsync(0, 10_000_000);

        // 1,000,000 multiples of 7 in one fixed chunk, about 4.5 MB serialized: halved on the worker three times and more
        // before each part fits 1 MB; and the same range paced, whose later chunks are no wider than what fitted.
        const ulong Last = (7 * 1_000_000) - 1;
        var whole = await cluster.Client.RunRangeAsync(MultiplesListKernel.Handle, 0, Last, new RangeOptions { ChunkSize = Last + 1 });
        var paced = await cluster.Client.RunRangeAsync(MultiplesListKernel.Handle, 0, Last);
        var expected = Enumerable.Range(0, 1_000_000).Select(i => 7L * i).ToArray();
        Assert.Equal(expected, whole.Value.Order());
        Assert.Equal(expected, paced.Value.Order());
        Assert.Equal(1, whole.Stats.Chunks);
        Assert.Equal(0, whole.Stats.Retries);

        // From HugeFrom on one number's partial is about 1.4 MB: the chunk is halved down to that number, and the job fails.
        const ulong Huge = MultiplesListKernel.HugeFrom;
        var error = await Assert.ThrowsAsync<ResultTooLargeException>(() => cluster.Client.RunRangeAsync(MultiplesListKernel.Handle, Huge - 20, Huge + 20, new RangeOptions { ChunkSize = 41 }));
        Assert.Contains($"number {Huge} on its own", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(MessagingOptions.MaxMessageBodySize), error.Message, StringComparison.Ordinal);
        Assert.Contains($"{Limit} bytes", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Message.Length, 1, 1000);

        Assert.Equal(ReferenceData.PiOf(10_000_000), (await beside).Value);
        var after = await cluster.Client.RunRangeAsync(MultiplesListKernel.Handle, 0, 69);
        Assert.Equal([0L, 7, 14, 21, 28, 35, 42, 49, 56, 63], after.Value.Order());
    }

    private static Task<GrainPoolTestCluster> StartAsync() =>
        GrainPoolTestCluster.StartAsync(
            [1, 1],
            initialSilos: 2,
            configureClient: client => client.Configure<ClientMessagingOptions>(o => o.MaxMessageBodySize = Limit),
            configureSilo: silo => silo.Configure<SiloMessagingOptions>(o => o.MaxMessageBodySize = Limit));
}
