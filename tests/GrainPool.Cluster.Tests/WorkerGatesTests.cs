using System.Diagnostics.Metrics;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// A client's calls at one worker over all its jobs are capped (<see cref="WorkerGates"/>): 40 one-item jobs at once on
/// one worker, each held at a <see cref="GateKernel"/> gate, put at most <see cref="WorkerGates.CallsPerWorker"/> calls
/// at the worker (the client's chunks-in-flight meter, which counts a chunk from its call to its return); the rest wait
/// in the client and all 40 finish with their own results.
/// </summary>
[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class WorkerGatesTests(ThreeSiloClusterFixture fixture)
{
    [Fact]
    public async Task Forty_jobs_at_once_on_one_worker_put_at_most_the_cap_of_calls_there_and_all_finish()
    {
        long[] values = [.. Enumerable.Range(0, 40).Select(i => 9_700_000L + i)];
        using var gates = GateKernel.Arm(values);
        using var inFlight = new InFlightListener(GateKernel.Handle.Id);
        var options = new JobOptions { MaxWorkers = 1 };

        var calls = values.Select(v => fixture.Client.SubmitAsync(GateKernel.Handle, v, options)).ToList();
        await Eventually.UntilAsync(() => inFlight.Current == WorkerGates.CallsPerWorker, Eventually.Deadline,
            () => $"{inFlight.Current} calls in flight (most {inFlight.Max}), expected {WorkerGates.CallsPerWorker}; calls: " +
                string.Join(", ", calls.GroupBy(c => c.Status).Select(g => $"{g.Key} {g.Count()}")) + "; entered: " + gates.All.Sum(g => g.Entered) +
                "; " + calls.FirstOrDefault(c => c.IsFaulted)?.Exception?.GetBaseException().Message);
        // Every call sent so far is held at its gate, so none has come back: the calls sent are the calls in flight.
        // Without the cap all 40 would be sent within milliseconds; with it no fifth one goes while the four are held.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(WorkerGates.CallsPerWorker, inFlight.Max);
        gates.OpenAll();

        var results = await Task.WhenAll(calls);

        Assert.Equal(values, results);
        Assert.Equal(0, inFlight.Current);
    }

    [Fact]
    public async Task A_map_whose_reader_stopped_reading_holds_no_place_so_another_call_on_its_worker_finishes()
    {
        // Four lanes on one worker (every place there), one-item chunks, and a reader that takes one result and stops:
        // the lanes fill the map's buffer and then wait to hand on their results. They must not keep their places.
        var options = new MapOptions { MaxWorkers = 1, InFlightPerWorker = WorkerGates.CallsPerWorker, ChunkSize = 1 };
        long[] items = [.. Enumerable.Range(1, 200).Select(i => (long)i)];
        using var stop = new CancellationTokenSource();
        await using var results = fixture.Client.MapUnorderedAsync(BuiltInKernels.IsPrimeMillerRabin, items, options, null, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await results.MoveNextAsync());

        var submitted = fixture.Client.SubmitAsync(BuiltInKernels.IsPrimeMillerRabin, 1_000_000_007L, new JobOptions { MaxWorkers = 1 });
        var finished = await Task.WhenAny(submitted, Task.Delay(Eventually.Deadline));

        Assert.True(finished == submitted, "the call waited behind a map that nobody reads");
        Assert.True(await submitted); // 1,000,000,007 is prime
        await stop.CancelAsync();
    }

    /// <summary>The client's chunks in flight for one kernel: now and the most at any time since it started listening.</summary>
    private sealed class InFlightListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _lock = new();
        private long _current;
        private long _max;

        public InFlightListener(string kernel)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ClientMetrics.MeterName && instrument.Name == "grainpool.client.chunks.in_flight")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, delta, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "kernel" && tag.Value as string == kernel)
                    {
                        lock (_lock)
                        {
                            _current += delta;
                            _max = Math.Max(_max, _current);
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Current
        {
            get
            {
                lock (_lock)
                {
                    return _current;
                }
            }
        }

        public long Max
        {
            get
            {
                lock (_lock)
                {
                    return _max;
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
