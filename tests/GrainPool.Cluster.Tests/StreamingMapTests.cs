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
            TimeSpan.FromSeconds(1),
            () => $"the input to be disposed ({counter.Disposed}) and every silo idle (running: {string.Join(", ", activities.Select(a => a.Running))})");
        Assert.Equal(Enumerable.Range(1, 5_000).Select(n => ReferenceSieve.Shared.IsPrime((ulong)n)), received);
        Assert.InRange(counter.Produced, 5_000, 5_000 + window);
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

        /// <summary>Counts one consumed result; returns how many had been consumed before it.</summary>
        public long Consumed() => Interlocked.Increment(ref _consumed) - 1;
    }
}
