using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GrainPool.Abstractions;
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
        // Done and the rents below run on this thread without a pause: the shared pool hands this thread back first the
        // array it returned last (its per-thread cache), and a second return of it would leave it in the pool once more.
        var source = new ListChunkSource<long>([5, 6, 7], 3);
        var chunk = (await source.NextAsync(CancellationToken.None))!;
        var batch = chunk.Batch; // wraps the chunk's array, which the wrapper keeps referring to
        Assert.Equal([5L, 6, 7], batch.Span);

        chunk.Attempting();
        chunk.Done();
        chunk.Done(); // a second Done must not return the array twice
        var first = ArrayPool<long>.Shared.Rent(3);
        var second = ArrayPool<long>.Shared.Rent(3);

        Assert.Throws<ObjectDisposedException>(() => chunk[0]);
        Assert.Equal(3, chunk.Length);
        Assert.True(SameArray(first, batch), "Done did not return the chunk's array to the pool");
        Assert.False(SameArray(second, batch), "Done returned the chunk's array to the pool twice");
        ArrayPool<long>.Shared.Return(first);
        ArrayPool<long>.Shared.Return(second);
    }

    // Whether `rented` is the array `batch` wraps (the wrapper does not expose it: compared by its first element's address).
    private static bool SameArray(long[] rented, PackedArray<long> batch) =>
        Unsafe.AreSame(ref rented[0], ref MemoryMarshal.GetReference(batch.Span));

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
