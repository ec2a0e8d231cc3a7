using System.Collections.ObjectModel;
using GrainPool.Client;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// The map's chunking of a list: every kind of list a caller passes (the block-copy paths for arrays, lists and array
/// segments, and the item-by-item path for any other list) yields each item once, in order, at its own index.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ListChunkSourceTests
{
    private static readonly string[] Words = [.. Enumerable.Range(100, 10).Select(i => "w" + i)];

    public static TheoryData<string, int> Kinds => new()
    {
        { "array", 3 },
        { "list", 3 },
        { "segment", 3 },
        { "covariant array", 3 },
        { "read-only collection", 3 },
        { "array", 10 },
        { "segment", 4 },
        { "list", 1 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_item_comes_once_in_order_at_its_index(string kind, int chunkSize)
    {
        // The segment starts two items into a larger array, so a copy that ignored its offset would be caught.
        var padded = new[] { "before", "before" }.Concat(Words).Append("after").ToArray();
        IReadOnlyList<object> items = kind switch
        {
            "array" => Words.Cast<object>().ToArray(),
            "list" => Words.Cast<object>().ToList(),
            "segment" => new ArraySegment<object>([.. padded], 2, Words.Length),
            "covariant array" => Words, // a string[] seen as IReadOnlyList<object>: read through a ReadOnlySpan only
            "read-only collection" => new ReadOnlyCollection<object>([.. Words]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        var source = new ListChunkSource<object>(items, chunkSize);

        var seen = new List<object>();
        var chunks = 0;
        while (await source.NextAsync(CancellationToken.None) is { } chunk)
        {
            Assert.Equal(seen.Count, chunk.Start);
            Assert.Equal(Math.Min(chunkSize, Words.Length - seen.Count), chunk.Items.Length);
            seen.AddRange(chunk.Items);
            chunks++;
        }

        Assert.Equal(Words, seen);
        Assert.Equal((Words.Length + chunkSize - 1) / chunkSize, chunks);
    }

    [Fact]
    public async Task A_chunk_is_a_copy_that_later_changes_to_the_list_do_not_reach()
    {
        var items = new long[] { 1, 2, 3, 4 };
        var source = new ListChunkSource<long>(items, 4);

        var chunk = await source.NextAsync(CancellationToken.None);
        items[0] = 99;

        Assert.NotNull(chunk);
        Assert.Equal([1L, 2, 3, 4], chunk.Items);
    }
}

/// <summary>The map's default chunk sizing: one item first, then the target duration at the measured rate, capped.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ItemChunkPacerTests
{
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(0.5);

    [Fact]
    public void A_fixed_size_is_kept_whatever_the_rate()
    {
        var pacer = new ItemChunkPacer(300, 1_000, Target);
        pacer.Completed(300, 100.0);

        Assert.Equal(300, pacer.NextSize());
    }

    [Fact]
    public void The_first_chunk_is_one_item_because_an_items_cost_is_unknown()
    {
        Assert.Equal(1, new ItemChunkPacer(null, 1_000, Target).NextSize());
    }

    [Fact]
    public void Cheap_items_get_the_count_rules_size()
    {
        var pacer = new ItemChunkPacer(null, 125_000, Target);
        pacer.Completed(1, 0.0); // too quick to time

        Assert.Equal(125_000, pacer.NextSize());
    }

    [Theory]
    [InlineData(20.0, 1)]      // 20 s an item: one at a time, however many the count rule allows
    [InlineData(0.05, 10)]     // 50 ms an item: 0.5 s is 10 items
    [InlineData(0.001, 500)]
    public void Slow_items_get_about_the_target_duration_of_work(double secondsPerItem, int expected)
    {
        var pacer = new ItemChunkPacer(null, 100_000, Target);
        pacer.Completed(4, 4 * secondsPerItem);

        Assert.Equal(expected, pacer.NextSize());
    }
}
