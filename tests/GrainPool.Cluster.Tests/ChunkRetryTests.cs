using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// Chunks whose silo leaves or dies while they run, made certain with <see cref="GateKernel"/>: two silos of 1 and 2
/// cores (workers Silo_0/0, Silo_1/0, Silo_1/1 in the job's interleaved order) and one chunk in flight per worker (unless a
/// test says otherwise), so a job of three gated two-item chunks holds exactly one chunk at a gate on each worker when
/// the test stops or kills Silo_1. A retry goes to the next worker in the list: Silo_1/0's chunk retries on Silo_1/1, then on Silo_0/0.
/// </summary>
[Collection(ClusterShapeCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class ChunkRetryTests
{
    private static readonly int[] Cores = [1, 2];

    /// <summary>
    /// A silo that begins a graceful stop hands its chunks back: the two running on it stop at their next slice, the two
    /// queued behind them are refused (or dropped by Orleans with the workers), and the client runs all four again on the
    /// remaining silo: none is lost, none delivered twice. Two chunks in flight per worker put one queued chunk behind each
    /// of the leaving silo's two workers.
    /// </summary>
    [Fact]
    public async Task A_silo_stopped_while_its_chunks_run_hands_them_back_and_each_runs_again_elsewhere_exactly()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(Cores, initialSilos: Cores.Length);
        var (items, gates) = ArmGatedChunks(9_100_000, chunks: 6);
        using var _ = gates;
        var leaving = cluster.Silos.Single(s => s.Name == "Silo_1");
        var activity = GrainPoolTestCluster.ActivityOf(leaving);
        var stopping = GrainPoolTestCluster.WorkerThreadsOf(leaving).Stopping;

        var job = cluster.Client.MapAsync(GateKernel.Handle, items, new MapOptions { ChunkSize = 2, InFlightPerWorker = 2 });
        await Eventually.UntilAsync(
            () => gates.All.Count(g => g.Entered == 1) == 3 && activity.Running == 2,
            Eventually.Deadline,
            () => $"a chunk at a gate on each of the 3 workers (entered: {string.Join(", ", gates.All.Select(g => g.Entered))}; running on Silo_1: {activity.Running})");
        var held = gates.All.Where(g => g.Entered == 1).Select(g => g.Value).ToHashSet();
        var stop = cluster.StopSiloAsync(leaving);
        await Eventually.UntilAsync(() => stopping.IsCancellationRequested, Eventually.Deadline, () => "Silo_1's workers to be told it is stopping");
        gates.OpenAll();
        var result = await job;
        await stop;

        Assert.Equal(items, result.Results);
        Assert.Equal(6, result.Stats.Chunks);
        Assert.Equal(0, activity.Completed);
        // Its 2 running chunks stopped there (counted cancelled, as the queued ones it refused); each of its 4 ran again.
        Assert.InRange(activity.Cancelled, 2, 4);
        Assert.True(result.Stats.Retries >= 4, $"{result.Stats.Retries} retries, but the leaving silo handed back 4 chunks");
        // The gates held on Silo_1 were entered again by the rerun; every other gate once.
        var heldThere = gates.All.Where(g => g.Entered == 2).Select(g => g.Value).ToList();
        Assert.Equal(2, heldThere.Count);
        Assert.Subset(held, heldThere.ToHashSet());
        Assert.All(gates.All.Where(g => !heldThere.Contains(g.Value)), g => Assert.Equal(1, g.Entered));
    }

    [Fact]
    public async Task A_silo_killed_while_its_chunks_run_loses_them_and_the_job_reruns_them_elsewhere_exactly()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(Cores, initialSilos: Cores.Length);
        var (items, gates) = ArmGatedChunks(9_110_000);
        using var _ = gates;
        var killed = cluster.Silos.Single(s => s.Name == "Silo_1");
        var activity = GrainPoolTestCluster.ActivityOf(killed);
        var stopping = GrainPoolTestCluster.WorkerThreadsOf(killed).Stopping; // read before the kill disposes the silo's services

        var logs = new LogRecorder();
        var killedAddress = killed.SiloAddress.ToParsableString();

        var job = new GrainPoolClient(cluster.Cluster.Client, logs.CreateLogger<GrainPoolClient>()).MapAsync(GateKernel.Handle, items, OneChunkPerWorker(maxRetries: 3));
        await WaitUntilEveryWorkerHoldsAGatedChunkAsync(gates);
        await cluster.KillSiloAsync(killed);
        // The killed silo's workers were told to stop when its services went; its two gated chunks stop after their gate.
        Assert.True(stopping.IsCancellationRequested, "the killed silo's workers were not told to stop");
        gates.OpenAll();
        var result = await job;

        Assert.Equal(items, result.Results);
        Assert.True(result.Stats.Retries >= 2, $"{result.Stats.Retries} retries; both chunks of the killed silo must have run again elsewhere");
        await Eventually.UntilAsync(
            () => activity.Cancelled == 2 && activity.Running == 0,
            Eventually.Deadline,
            () => $"the killed silo's 2 gated chunks to stop there (cancelled {activity.Cancelled}, running {activity.Running})");
        Assert.Equal(0, activity.Completed);
        Assert.Equal(1, result.Stats.Workers);
        // The client logged each lost attempt (naming the killed silo) and each retry elsewhere, then the job's end.
        var lost = logs.Entries.Where(e => e.EventId == 3010).ToArray();
        Assert.True(lost.Length >= 2, $"{lost.Length} silo-lost entries; both chunks of the killed silo were lost");
        Assert.All(lost, e => Assert.Contains($"Silo {killedAddress} failed a chunk", e.Message, StringComparison.Ordinal));
        Assert.Equal(result.Stats.Retries, logs.Entries.Count(e => e.EventId == 3011));
        Assert.Single(logs.Entries, e => e.EventId == 3000);
    }

    // With one retry, Silo_1/0's chunk would retry on Silo_1/1, on the same killed silo; the client skips it once the
    // silo has failed a call, and the retry runs on Silo_0/0 (A_retry_skips_the_workers_of_a_silo_that_failed_a_call).
    [Theory]
    [InlineData(0)]
    public async Task A_chunk_whose_silo_fails_on_every_attempt_MaxChunkRetries_allows_fails_the_job_naming_the_chunk_and_its_silos(int maxRetries)
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(Cores, initialSilos: Cores.Length);
        var (items, gates) = ArmGatedChunks(9_120_000 + (maxRetries * 1_000));
        using var _ = gates;
        var killed = cluster.Silos.Single(s => s.Name == "Silo_1");
        var killedAddress = killed.SiloAddress.ToParsableString();

        var job = cluster.Client.MapAsync(GateKernel.Handle, items, OneChunkPerWorker(maxRetries));
        await WaitUntilEveryWorkerHoldsAGatedChunkAsync(gates);
        await cluster.KillSiloAsync(killed);
        gates.OpenAll();
        var error = await Assert.ThrowsAsync<ChunkRetriesExhaustedException>(() => job);

        // Silo_1/0's chunk: its first attempt and its one retry (on Silo_1/1) both land on the killed silo.
        Assert.Equal(maxRetries, error.MaxChunkRetries);
        Assert.Equal(maxRetries + 1, error.Silos.Count);
        Assert.Equal(killedAddress, error.Silos[^1]);
        Assert.True(ChunkDispatcher.IsTransient(error.InnerException!), $"inner exception {error.InnerException}");
        var chunk = Assert.Single(ChunksOf(items), c => error.Chunk == c);
        Assert.StartsWith(chunk + $" failed on {maxRetries + 1} attempt", error.Message, StringComparison.Ordinal);
        Assert.Contains(killedAddress, error.Message, StringComparison.Ordinal);
        Assert.Contains(error.InnerException!.GetType().Name, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// One retry is enough when the silo that failed has several workers: the retry skips that silo's other worker (the
    /// next one in the list), which would fail the same way, and runs on the surviving silo.
    /// </summary>
    [Fact]
    public async Task A_retry_skips_the_workers_of_a_silo_that_failed_a_call()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(Cores, initialSilos: Cores.Length);
        var (items, gates) = ArmGatedChunks(9_125_000);
        using var _ = gates;
        var killed = cluster.Silos.Single(s => s.Name == "Silo_1");

        var job = cluster.Client.MapAsync(GateKernel.Handle, items, OneChunkPerWorker(maxRetries: 1));
        await WaitUntilEveryWorkerHoldsAGatedChunkAsync(gates);
        await cluster.KillSiloAsync(killed);
        gates.OpenAll();
        var result = await job;

        Assert.Equal(items, result.Results);
        Assert.Equal(1, result.Stats.Silos);
        Assert.True(result.Stats.Retries >= 2, $"{result.Stats.Retries} retries; both chunks of the killed silo must have run again elsewhere");
    }

    // Two-item chunks, each led by a gated value: [g, 1], [g + 1, 2], [g + 2, 3], ...
    private static (long[] Items, GateKernel.Gates Gates) ArmGatedChunks(long firstGate, int chunks = 3)
    {
        long[] items = [.. Enumerable.Range(0, chunks).SelectMany(c => new[] { firstGate + c, c + 1L })];
        return (items, GateKernel.Arm([.. Enumerable.Range(0, chunks).Select(c => firstGate + c)]));
    }

    // How the client names each of the three chunks in a failure.
    private static string[] ChunksOf(long[] items) =>
        [.. Enumerable.Range(0, 3).Select(c => $"Chunk {GateKernel.Handle.Id} items {2 * c} to {(2 * c) + 1} (first value {items[2 * c]})")];

    private static MapOptions OneChunkPerWorker(int maxRetries) => new() { ChunkSize = 2, InFlightPerWorker = 1, MaxChunkRetries = maxRetries };

    private static Task WaitUntilEveryWorkerHoldsAGatedChunkAsync(GateKernel.Gates gates) =>
        Eventually.UntilAsync(() => gates.All.All(g => g.Entered == 1), Eventually.Deadline, () => $"a chunk at each gate (entered: {string.Join(", ", gates.All.Select(g => g.Entered))})");
}
