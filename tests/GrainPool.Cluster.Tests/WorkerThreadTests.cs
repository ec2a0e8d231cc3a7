using GrainPool.Grains;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class WorkerThreadTests(ThreeSiloClusterFixture fixture)
{
    /// <summary>
    /// Kernels never hold a thread-pool thread (Orleans' messaging, cancellations and timers need the pool): each worker
    /// computes on a thread of its own, so a map over every worker sees exactly as many distinct threads as workers.
    /// </summary>
    [Fact]
    public async Task Each_worker_computes_on_its_own_dedicated_thread_never_on_the_thread_pool()
    {
        var items = Enumerable.Range(0, 30_000).Select(i => (long)i).ToArray();

        var result = await fixture.Client.MapAsync(ThreadIdentityKernel.Handle, items, new MapOptions { ChunkSize = 100 });

        Assert.All(result.Results, thread => Assert.True(thread > 0, $"a kernel ran on thread-pool thread {-thread}"));
        Assert.Equal(6, result.Stats.Workers);
        Assert.Equal(result.Stats.Workers, result.Results.Distinct().Count());
        Assert.All(fixture.Cluster.Silos, silo => Assert.Equal(
            fixture.Cluster.CoresOf(silo),
            GrainPoolTestCluster.WorkerThreadsOf(silo).Count));
    }
}

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class WorkerThreadsUnitTests
{
    [Fact]
    public async Task Each_slot_has_one_thread_of_its_own_outside_the_thread_pool()
    {
        using var threads = new WorkerThreads(2);
        static (int Id, bool Pool) Where() => (Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread);

        var first = await threads.RunAsync(0, Where);
        var again = await threads.RunAsync(0, Where);
        var other = await threads.RunAsync(1, Where);

        Assert.False(first.Pool);
        Assert.False(other.Pool);
        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(2, threads.Count);
    }

    [Fact]
    public async Task A_slot_outside_the_silo_is_refused_and_a_kernel_exception_reaches_the_caller()
    {
        using var threads = new WorkerThreads(2);

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = threads.RunAsync(2, () => 0); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = threads.RunAsync(-1, () => 0); });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => threads.RunAsync<int>(0, () => throw new InvalidOperationException("kernel failed")));
        Assert.Equal("kernel failed", error.Message);
        Assert.Equal(42, await threads.RunAsync(0, () => 42));
    }

    [Fact]
    public async Task Disposing_stops_work_still_computing_and_refuses_new_work()
    {
        var threads = new WorkerThreads(1);
        var stopping = threads.Stopping;
        using var started = new ManualResetEventSlim();
        // A chunk that would run for ever: it stops only when it sees the silo stopping (as a worker does between slices).
        var endless = threads.RunAsync(0, () =>
        {
            started.Set();
            while (true)
            {
                stopping.ThrowIfCancellationRequested();
                Thread.SpinWait(1000);
            }

#pragma warning disable CS0162 // the loop only ends by throwing
            return 0;
#pragma warning restore CS0162
        });
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)), "the chunk did not start");

        threads.Dispose();

        await Assert.ThrowsAsync<OperationCanceledException>(() => endless.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Throws<ObjectDisposedException>(() => { _ = threads.RunAsync(0, () => 0); });
    }
}
