using GrainPool.Client;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// A chunk's pooled item array goes back to the pool only when nothing can read it any more: after its one attempt's
/// results were handed on, never after a second attempt (a worker of an attempt given up may still read it), and items
/// with references are never pooled.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ItemChunkPoolingTests
{
    [Fact]
    public async Task A_chunk_done_after_one_attempt_gives_its_array_back_once()
    {
        var source = new ListChunkSource<long>([5, 6, 7], 3);
        var chunk = (await source.NextAsync(CancellationToken.None))!;
        Assert.Equal([5L, 6, 7], chunk.Batch.Span);

        chunk.Attempting();
        chunk.Done();
        chunk.Done(); // a second Done must not return the array twice

        Assert.Throws<ObjectDisposedException>(() => chunk[0]);
        Assert.Equal(3, chunk.Length);
    }

    [Fact]
    public async Task A_chunk_tried_twice_keeps_its_array_when_done()
    {
        var source = new ListChunkSource<long>([5, 6, 7], 3);
        var chunk = (await source.NextAsync(CancellationToken.None))!;

        chunk.Attempting();
        chunk.Attempting();
        chunk.Done();

        Assert.Equal([5L, 6, 7], chunk.Items);
    }

    [Fact]
    public async Task A_chunk_of_items_with_references_is_an_exact_array_of_its_own()
    {
        var source = new ListChunkSource<string>(["a", "b", "c", "d"], 3);
        var chunk = (await source.NextAsync(CancellationToken.None))!;

        Assert.Equal(["a", "b", "c"], chunk.Exact);
        Assert.Same(chunk.Exact, chunk.Batch.Items); // not copied: the array is exactly the chunk's items
        chunk.Attempting();
        chunk.Done();
        Assert.Equal("a", chunk[0]);
    }
}
