using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class StreamingMapTests(ThreeSiloClusterFixture fixture)
{
    [Fact]
    public async Task Stream_map_of_ten_million_lazy_items_keeps_at_most_its_window_of_items_generated_but_not_consumed()
    {
        const long Count = 10_000_000;
        const int ChunkSize = 1024;
        const int InFlight = 2;
        var workers = (await fixture.Client.GetTopologyAsync()).TotalSlots;
        // The documented bound: workers x in-flight x 2 chunks exist at once; one more chunk of slack.
        long window = (workers * InFlight * 2 * ChunkSize) + ChunkSize;
        var counter = new StreamCounter();
        // The consumer stops once, at a chunk boundary, until the producer has filled the window behind it: the
        // generator then runs as far ahead as the client lets it, which is what the bound has to hold against.
        const long PauseAt = 100 * ChunkSize;
        long fullWindowAhead = (workers * InFlight * 2 * ChunkSize) - ChunkSize;
        long primesSeen = 0;
        long firstWrong = 0;

        var options = new MapOptions { ChunkSize = ChunkSize, InFlightPerWorker = InFlight };
        await foreach (var isPrime in fixture.Client.MapStreamAsync(BuiltInKernels.IsPrimeMillerRabin, counter.Generate(1, Count), options))
        {
            var item = counter.Consumed() + 1;
            if (ReferenceSieve.Shared.IsPrime((ulong)item) != isPrime && firstWrong == 0)
            {
                firstWrong = item;
            }

            primesSeen += isPrime ? 1 : 0;
            if (item == PauseAt)
            {
                await Eventually.UntilAsync(
                    () => counter.Ahead >= fullWindowAhead,
                    TimeSpan.FromSeconds(30),
                    () => $"the producer to run {fullWindowAhead} items ahead of a paused consumer (ahead now {counter.Ahead})");
            }
        }

        Assert.Equal(0, firstWrong);
        Assert.Equal(Count, counter.Produced);
        Assert.Equal(Count, counter.ConsumedCount);
        Assert.Equal(ReferenceData.PiOf(Count), (ulong)primesSeen);
        Assert.InRange(counter.PeakAhead, fullWindowAhead, window);
    }

    [Fact]
    public async Task Leaving_a_stream_map_early_disposes_the_input_and_leaves_every_silo_idle()
    {
        var activities = fixture.Cluster.Silos.Select(GrainPoolTestCluster.ActivityOf).ToArray();
        var counter = new StreamCounter();
        const int ChunkSize = 1024;
        var window = ((await fixture.Client.GetTopologyAsync()).TotalSlots * 2 * 2 * ChunkSize) + ChunkSize;
        var received = new List<bool>();

        await foreach (var isPrime in fixture.Client.MapStreamAsync(BuiltInKernels.IsPrimeTrial, counter.Generate(1, 10_000_000), new MapOptions { ChunkSize = ChunkSize }))
        {
            counter.Consumed();
            received.Add(isPrime);
            if (received.Count == 5_000)
            {
                break;
            }
        }

        await Eventually.UntilAsync(
            () => counter.Disposed && activities.All(a => a.Running == 0),
            Eventually.Deadline,
            () => $"the input to be disposed ({counter.Disposed}) and every silo idle (running: {string.Join(", ", activities.Select(a => a.Running))})");
        Assert.Equal(Enumerable.Range(1, 5_000).Select(n => ReferenceSieve.Shared.IsPrime((ulong)n)), received);
        Assert.InRange(counter.Produced, 5_000, 5_000 + window);
    }

    [Fact]
    public async Task Stream_map_over_an_async_enumerable_yields_results_in_input_order_and_reads_no_further_ahead_than_its_window()
    {
        const long Count = 20_000;
        const int ChunkSize = 100;
        var workers = (await fixture.Client.GetTopologyAsync()).TotalSlots;
        // The documented bound: workers x in-flight (2) x 2 chunks exist at once; one more chunk of slack.
        long window = (workers * 2 * 2 * ChunkSize) + ChunkSize;
        var counter = new StreamCounter();
        var received = new List<bool>();
        long producedAtFirstResult = 0;

        await foreach (var isPrime in fixture.Client.MapStreamAsync(BuiltInKernels.IsPrimeMillerRabin, counter.GenerateAsync(1, Count), new MapOptions { ChunkSize = ChunkSize }))
        {
            if (received.Count == 0)
            {
                producedAtFirstResult = counter.Produced;
            }

            counter.Consumed();
            received.Add(isPrime);
        }

        Assert.Equal(Enumerable.Range(1, (int)Count).Select(n => ReferenceSieve.Shared.IsPrime((ulong)n)), received);
        Assert.Equal(Count, counter.Produced);
        Assert.True(counter.Disposed, "the input enumerator was not disposed");
        Assert.InRange(producedAtFirstResult, 1, window);
        Assert.InRange(counter.PeakAhead, 1, window);
    }

    [Fact]
    public async Task Leaving_an_unordered_map_early_cancels_the_job_on_every_silo_and_leaves_every_worker_idle()
    {
        // Twelve chunks, each led by a gated item: 6 workers x 2 in flight hold one running and one queued on each. The
        // test opens one running chunk's gate for the first result (a free chunk could queue behind a gated one on its
        // worker); that worker then starts its queued chunk, so every worker holds a gated chunk when the consumer leaves.
        const long FirstGate = 9_700_000;
        long[] items = [.. Enumerable.Range(0, 12).SelectMany(c => new[] { FirstGate + c, c + 1L })];
        using var gates = GateKernel.Arm([.. Enumerable.Range(0, 12).Select(c => FirstGate + c)]);
        var probe = new SiloCancellationProbe(fixture.Cluster);
        var firstResult = new TaskCompletionSource<IndexedResult<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var leave = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var consumer = Task.Run(async () =>
        {
            await foreach (var result in fixture.Client.MapUnorderedAsync(GateKernel.Handle, items, new MapOptions { ChunkSize = 2 }))
            {
                firstResult.SetResult(result);
                await leave.Task;
                break;
            }
        });
        await probe.WaitUntilEveryWorkerRunsAsync();
        var opened = gates.All.First(g => g.Entered == 1);
        opened.Open();
        var first = await firstResult.Task.WaitAsync(Eventually.Deadline);
        await probe.WaitUntilEveryWorkerRunsAsync();
        probe.BeforeCancel();
        leave.SetResult();

        // Leaving cancels the job first, then waits for its lanes; the gates open once the cancellation is on every
        // silo, so the consumer's return does not depend on how soon a cancelled call returns while its worker is held.
        await probe.WaitUntilCancellationReachedEverySiloAsync();
        probe.AssertStillRunningAsAtCancel();
        gates.OpenAll();
        await consumer.WaitAsync(Eventually.Deadline);
        await probe.WaitUntilStoppedAndIdleAsync();
        var openedIndex = Array.IndexOf(items, opened.Value);
        Assert.InRange(first.Index, openedIndex, openedIndex + 1);
        Assert.Equal(items[first.Index], first.Result);
    }

    /// <summary>Counts items as the lazy generator makes them and as the consumer takes results, and the peak gap.</summary>
    private sealed class StreamCounter
    {
        private long _produced;
        private long _consumed;
        private long _peakAhead;
        private int _disposed;

        public long Produced => Interlocked.Read(ref _produced);

        public long ConsumedCount => Interlocked.Read(ref _consumed);

        public long Ahead => Produced - ConsumedCount;

        public long PeakAhead => Interlocked.Read(ref _peakAhead);

        public bool Disposed => Volatile.Read(ref _disposed) == 1;

        public IEnumerable<long> Generate(long first, long last)
        {
            try
            {
                for (var item = first; item <= last; item++)
                {
                    var ahead = Interlocked.Increment(ref _produced) - Interlocked.Read(ref _consumed);
                    var peak = Interlocked.Read(ref _peakAhead);
                    while (ahead > peak && Interlocked.CompareExchange(ref _peakAhead, ahead, peak) != peak)
                    {
                        peak = Interlocked.Read(ref _peakAhead);
                    }

                    yield return item;
                }
            }
            finally
            {
                Volatile.Write(ref _disposed, 1);
            }
        }

        public async IAsyncEnumerable<long> GenerateAsync(long first, long last)
        {
            foreach (var item in Generate(first, last))
            {
                // A real asynchronous source: each item may complete on another thread.
                await Task.Yield();
                yield return item;
            }
        }

        /// <summary>Counts one consumed result; returns how many had been consumed before it.</summary>
        public long Consumed() => Interlocked.Increment(ref _consumed) - 1;
    }
}
