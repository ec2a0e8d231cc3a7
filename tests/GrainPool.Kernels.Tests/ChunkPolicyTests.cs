using GrainPool.Kernels.Running;

namespace GrainPool.Kernels.Tests;

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

/// <summary>
/// The range side of the one chunk policy: chunks cover the range once, follow the measured rate, shrink towards the end,
/// and never go below the kernel's minimum; a fixed size is kept.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class RangeChunkerTests
{
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(0.5);

    [Fact]
    public void A_fixed_size_is_kept_whatever_the_rate_and_the_last_chunk_takes_the_rest()
    {
        var chunker = new RangeChunker(10, 1_009, 300, 1, 4, Target);
        var sizes = new List<ulong>();
        while (chunker.TryNext(out var first, out var last))
        {
            sizes.Add(last - first + 1);
            chunker.Completed(first, last, 100.0);
        }

        Assert.Equal([300UL, 300, 300, 100], sizes);
    }

    [Theory]
    [InlineData(300UL)]   // a fixed size
    [InlineData(null)]    // paced, at a rate that would take far more
    public void After_a_width_limit_no_chunk_is_wider_and_the_range_is_still_covered_once(ulong? fixedSize)
    {
        var chunker = new RangeChunker(10, 5_009, fixedSize, 1, 1, Target);
        Assert.True(chunker.TryNext(out var first, out var last));
        chunker.Completed(first, last, 1e-9);
        var chunks = new List<(ulong First, ulong Last)> { (first, last) };
        chunker.LimitWidth(70);
        chunker.LimitWidth(90); // a wider limit later does not widen it again
        while (chunker.TryNext(out first, out last))
        {
            chunks.Add((first, last));
            chunker.Completed(first, last, 1e-9);
        }

        Assert.All(chunks.Skip(1), chunk => Assert.InRange(chunk.Last - chunk.First + 1, 1UL, 70UL));
        Assert.Equal(10UL, chunks[0].First);
        Assert.Equal(5_009UL, chunks[^1].Last);
        Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.Equal(pair.First.Last + 1, pair.Second.First));
    }

    [Fact]
    public void The_first_chunks_are_sixteen_minimum_chunks_until_a_rate_is_measured()
    {
        var chunker = new RangeChunker(0, 1_000_000_000, null, 1_000, 2, Target);

        Assert.True(chunker.TryNext(out var first, out var last));
        Assert.Equal(16_000UL, last - first + 1);
    }

    [Theory]
    [InlineData(1e6, 500_000UL)]    // a million numbers a second: half a second is 500,000
    [InlineData(1e3, 1_000UL)]      // slower than the minimum chunk's worth: the kernel's minimum
    public void Chunks_follow_the_measured_rate_within_the_minimum(double numbersPerSecond, ulong expected)
    {
        var chunker = new RangeChunker(0, 1_000_000_000_000, null, 1_000, 2, Target);
        Assert.True(chunker.TryNext(out var first, out var last));
        chunker.Completed(first, last, (last - first + 1) / numbersPerSecond);

        Assert.True(chunker.TryNext(out first, out last));
        Assert.Equal(expected, last - first + 1);
    }

    [Fact]
    public void Chunks_shrink_to_the_remaining_work_over_twice_the_workers_and_cover_the_range_once()
    {
        var chunker = new RangeChunker(5, 1_000_004, null, 1, 2, Target);
        var chunks = new List<(ulong First, ulong Last)>();
        while (chunker.TryNext(out var first, out var last))
        {
            chunks.Add((first, last));
            chunker.Completed(first, last, 1e-9); // very cheap: the rate alone would take everything
        }

        Assert.Equal(5UL, chunks[0].First);
        Assert.Equal(1_000_004UL, chunks[^1].Last);
        Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.Equal(pair.First.Last + 1, pair.Second.First));
        Assert.All(chunks.Skip(1), chunk => Assert.True(chunk.Last - chunk.First + 1 <= Math.Max(1, (1_000_004 - chunk.First + 1) / 4)));
        Assert.True(chunks.Count > 10, $"{chunks.Count} chunks: the tail did not shrink");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-3L)]
    public void A_fixed_size_below_one_is_refused_naming_the_parameter_and_value(long size)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ChunkPolicy.ThrowIfInvalid<long>(size, "ChunkSize"));

        Assert.Equal("ChunkSize", ex.ParamName);
        Assert.Equal(size, ex.ActualValue);
        Assert.True(ChunkPolicy.IsValid<long>(null));
    }
}

/// <summary>The record of the chunks a job used: count, smallest, (lower) median and largest, merged across jobs.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ChunkSizeLogTests
{
    [Fact]
    public void An_empty_log_has_no_sizes()
    {
        var log = new ChunkSizeLog();

        Assert.Equal(0, log.Count);
        Assert.Null(log.Smallest);
        Assert.Null(log.Median);
        Assert.Null(log.Largest);
    }

    [Fact]
    public void Count_smallest_median_and_largest_are_those_of_the_sizes_added_and_merged()
    {
        var first = new ChunkSizeLog();
        foreach (var size in new ulong[] { 40, 10, 40 })
        {
            first.Add(size);
        }

        var second = new ChunkSizeLog();
        second.Add(7);
        second.Add(1_000);
        first.Add(second);
        var snapshot = first.Snapshot();
        first.Add(1);

        // 7, 10, 40, 40, 1000: the third is the median.
        Assert.Equal(5, snapshot.Count);
        Assert.Equal(7UL, snapshot.Smallest);
        Assert.Equal(40UL, snapshot.Median);
        Assert.Equal(1_000UL, snapshot.Largest);
        // 1, 7, 10, 40, 40, 1000: the lower of the middle two.
        Assert.Equal(10UL, first.Median);
    }
}
