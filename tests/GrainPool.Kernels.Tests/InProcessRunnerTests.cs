using GrainPool.Kernels.Running;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>InProcessRunner: map results in input order, failures naming the item, cancellation, progress, chunk coverage.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class InProcessRunnerTests
{
    [Theory]
    [InlineData(1, null)]
    [InlineData(1, 1)]
    [InlineData(2, null)]
    [InlineData(2, 7)]
    [InlineData(4, 1_000)]
    [InlineData(3, 50_000)]
    public void Run_map_returns_results_in_input_order(int workers, int? chunkSize)
    {
        var random = new Random(4_096 + workers + (chunkSize ?? 0));
        var items = new long[10_000];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (long)Ranges.NextUInt64(random) >> random.Next(0, 63); // negatives, small and huge values
        }

        var results = new bool[items.Length];
        new InProcessRunner(workers).RunMap(new IsPrimeKernel(PrimalityMethod.MillerRabin), items, results, chunkSize);

        for (var i = 0; i < items.Length; i++)
        {
            var expected = items[i] >= 0 && ReferencePrimality.IsPrime((ulong)items[i]);
            if (results[i] != expected)
            {
                Assert.Fail($"result {i} (item {items[i]}) is {results[i]}; the reference says {expected}.");
            }
        }

        Assert.Contains(true, results); // the check above compared real primes too, not only composites
    }

    [Fact]
    public void Run_map_writes_result_i_for_item_i_of_a_slice()
    {
        var items = Enumerable.Range(-500, 20_000).Select(i => (long)i).ToArray();
        var results = new bool[5_000];

        new InProcessRunner(2).RunMap(new IsPrimeKernel(PrimalityMethod.Trial), items.AsMemory(1_234, 5_000), results.AsMemory(), chunkSize: 37);

        for (var i = 0; i < results.Length; i++)
        {
            var item = items[1_234 + i];
            Assert.Equal(item >= 0 && ReferenceSieve.Shared.IsPrime((ulong)item), results[i]);
        }
    }

    [Fact]
    public void Run_map_of_no_items_calls_no_kernel()
    {
        using var source = new CancellationTokenSource();
        var kernel = new CancellingKernel(0, source);
        var progress = new RecordingProgress();

        new InProcessRunner(2).RunMap(kernel, ReadOnlyMemory<long>.Empty, Memory<long>.Empty, progress: progress);

        Assert.Equal(0, kernel.Computed);
        Assert.All(progress.Reports, report => Assert.Equal(UInt128.Zero, report.Total));
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, 1)]
    [InlineData(4, 64)]
    [InlineData(2, 1_000)]
    public void Run_map_failure_names_the_failing_item_index_and_value(int workers, int? chunkSize)
    {
        var items = Enumerable.Range(0, 1_000).Select(i => 3L * i).ToArray();
        var results = new long[items.Length];

        var ex = Record.Exception(() => new InProcessRunner(workers).RunMap(new RejectingKernel(1_497), items, results, chunkSize));

        var failed = Assert.IsType<ItemFailedException>(ex);
        Assert.Equal(499, failed.Index);
        Assert.Equal(1_497L, failed.Item);
        Assert.Contains("499", failed.Message, StringComparison.Ordinal);
        Assert.Contains("1497", failed.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<ArgumentException>(failed.InnerException);
        Assert.Equal("item", inner.ParamName);
    }

    [Fact]
    public void Run_map_with_a_cancelled_token_throws_operation_canceled_and_computes_nothing()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var kernel = new CancellingKernel(-1, source);

        var ex = Record.Exception(() => new InProcessRunner(2).RunMap(kernel, new long[1_000], new long[1_000], cancellationToken: source.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(ex);
        Assert.Equal(0, kernel.Computed);
    }

    [Fact]
    public void Run_map_cancelled_while_running_stops_with_operation_canceled()
    {
        using var source = new CancellationTokenSource();
        var items = Enumerable.Range(0, 100_000).Select(i => (long)i).ToArray();
        var kernel = new CancellingKernel(10, source);

        var ex = Record.Exception(() => new InProcessRunner(1).RunMap(kernel, items, new long[items.Length], chunkSize: 100, cancellationToken: source.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(ex);
        Assert.InRange(kernel.Computed, 11, 1_000); // the chunk in flight finishes; no later chunk starts
    }

    [Fact]
    public void Run_range_with_a_cancelled_token_throws_operation_canceled()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var kernel = new WidthKernel();

        var ex = Record.Exception(() => new InProcessRunner(2).RunRange(kernel, 0, 1_000_000, chunkSize: 1_000, cancellationToken: source.Token));

        Assert.IsAssignableFrom<OperationCanceledException>(ex);
        Assert.Empty(kernel.Chunks);
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 64)]
    [InlineData(4, 1)]
    [InlineData(2, null)]
    public void Run_map_progress_reaches_the_total(int workers, int? chunkSize)
    {
        const int count = 10_000;
        var progress = new RecordingProgress();

        new InProcessRunner(workers).RunMap(new IsPrimeKernel(PrimalityMethod.MillerRabin), new long[count], new bool[count], chunkSize, progress);

        var reports = progress.Reports;
        Assert.NotEmpty(reports);
        Assert.All(reports, report => Assert.Equal((UInt128)count, report.Total));
        Assert.Equal((UInt128)count, reports.Max(report => report.Done));
        Assert.All(reports, report => Assert.InRange(report.Done, UInt128.One, (UInt128)count));
        Assert.Equal(reports.Count, reports.Select(report => report.Done).Distinct().Count()); // each report adds finished work
    }

    [Theory]
    [InlineData(1, 1_000UL)]
    [InlineData(2, 999UL)]
    [InlineData(3, null)]
    public void Run_range_progress_reaches_the_width(int workers, ulong? chunkSize)
    {
        var progress = new RecordingProgress();

        var total = new InProcessRunner(workers).RunRange(new WidthKernel(), 5, 1_000_004, chunkSize, progress);

        var reports = progress.Reports;
        Assert.Equal((UInt128)1_000_000, total);
        Assert.NotEmpty(reports);
        Assert.All(reports, report => Assert.Equal((UInt128)1_000_000, report.Total));
        Assert.Equal((UInt128)1_000_000, reports.Max(report => report.Done));
        Assert.Equal(reports.Count, reports.Select(report => report.Done).Distinct().Count());
    }

    [Theory]
    [InlineData(0UL, 9_999UL, 1UL, 1)]
    [InlineData(0UL, 9_999UL, 7UL, 3)]
    [InlineData(0UL, 9_999UL, 10_000UL, 2)]
    [InlineData(0UL, 9_999UL, 123_456UL, 2)]
    [InlineData(0UL, 9_999UL, null, 4)]
    [InlineData(ulong.MaxValue - 9_999, ulong.MaxValue, 333UL, 2)]
    [InlineData(ulong.MaxValue, ulong.MaxValue, null, 2)]
    [InlineData(0UL, ulong.MaxValue, 1UL << 62, 3)]
    [InlineData(0UL, ulong.MaxValue, ulong.MaxValue, 2)]
    [InlineData(1UL, ulong.MaxValue, null, 2)]
    public void Run_range_chunks_cover_the_range_exactly_once(ulong first, ulong last, ulong? chunkSize, int workers)
    {
        var kernel = new WidthKernel();

        var total = new InProcessRunner(workers).RunRange(kernel, first, last, chunkSize);

        Assert.Equal((UInt128)last - first + 1, total);
        var chunks = kernel.Chunks.OrderBy(chunk => chunk.First).ToList();
        Assert.Equal(first, chunks[0].First);
        Assert.Equal(last, chunks[^1].Last);
        Assert.All(chunks, chunk => Assert.True(chunk.First <= chunk.Last, $"empty chunk [{chunk.First}, {chunk.Last}]"));
        Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.Equal(pair.First.Last + 1, pair.Second.First));
        if (chunkSize is { } size)
        {
            Assert.All(chunks.SkipLast(1), chunk => Assert.Equal(size, chunk.Last - chunk.First + 1));
        }
    }

    [Fact]
    public void Run_range_default_chunks_are_at_least_the_kernel_minimum()
    {
        var kernel = new WidthKernel(minChunkSize: 1_000);

        var total = new InProcessRunner(4).RunRange(kernel, 0, 9_999);

        Assert.Equal((UInt128)10_000, total);
        Assert.All(kernel.Chunks.OrderBy(chunk => chunk.First).SkipLast(1), chunk => Assert.True(chunk.Last - chunk.First + 1 >= 1_000));
    }

    [Theory]
    [InlineData(ulong.MaxValue, 1UL)]
    [InlineData(ulong.MaxValue, 2UL)]
    [InlineData(Ranges.TwoPow63, 1UL)]
    public void Run_range_with_more_chunks_than_a_long_counts_does_not_silently_return_the_empty_result(ulong last, ulong chunkSize)
    {
        // [0, last] in chunks of 1 or 2 is more than 2^63 chunks. Doing that work is not feasible, but answering
        // "no values" is wrong: the runner should refuse the chunk size.
        var kernel = new WidthKernel();
        UInt128 total = 0;

        var ex = Record.Exception(() => total = new InProcessRunner(2).RunRange(kernel, 0, last, chunkSize));

        if (ex is null)
        {
            Assert.Fail($"RunRange over [0, {last}] with chunkSize {chunkSize} returned {total} after {kernel.Chunks.Count} chunks instead of throwing.");
        }

        Assert.IsAssignableFrom<ArgumentException>(ex);
    }

    [Fact]
    public void Runner_keeps_the_requested_worker_count()
    {
        Assert.Equal(3, new InProcessRunner(3).Workers);
        Assert.Equal(1, new InProcessRunner(1).Workers);
        Assert.Equal(Environment.ProcessorCount, new InProcessRunner().Workers);
    }
}
