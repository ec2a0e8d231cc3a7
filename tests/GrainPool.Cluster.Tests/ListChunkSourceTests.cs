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
