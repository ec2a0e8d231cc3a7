using System.Diagnostics;
using GrainPool.Grains;

namespace GrainPool.Cluster.Tests.Infrastructure;

/// <summary>
/// Watches a job's cancellation from the silo side: every worker holds a chunk (at a <see cref="GateKernel"/> gate),
/// the job is cancelled or abandoned, its cancellation arrives on every silo (<see cref="JobCancellations"/>), and,
/// once the gates open, each silo counts at least as many more cancelled chunks as it was running at cancel (refused
/// queued chunks count too) and every worker is idle, each within <see cref="Eventually.Deadline"/>.
/// </summary>
internal sealed class SiloCancellationProbe
{
    private readonly WorkerActivity[] _activities;
    private readonly JobCancellations[] _jobs;
    private readonly int[] _cores;
    private readonly long[] _cancelledBefore;
    private long[] _runningAtCancel = [];
    private long _cancelledAt = long.MaxValue;

    public SiloCancellationProbe(GrainPoolTestCluster cluster)
    {
        var silos = cluster.Silos;
        _activities = [.. silos.Select(GrainPoolTestCluster.ActivityOf)];
        _jobs = [.. silos.Select(GrainPoolTestCluster.JobCancellationsOf)];
        _cores = [.. silos.Select(cluster.CoresOf)];
        _cancelledBefore = [.. _activities.Select(a => a.Cancelled)];
    }

    /// <summary>Waits until every worker of every silo runs a chunk.</summary>
    public Task WaitUntilEveryWorkerRunsAsync() => Eventually.UntilAsync(
        () => _activities.Select((a, i) => a.Running == _cores[i]).All(full => full),
        Eventually.Deadline,
        () => $"a chunk on every worker (running: {string.Join(", ", _activities.Select(a => a.Running))}, cores: {string.Join(", ", _cores)})");

    /// <summary>Notes what runs now, just before the test cancels the job (or leaves it).</summary>
    public void BeforeCancel()
    {
        _runningAtCancel = [.. _activities.Select(a => a.Running)];
        _cancelledAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Waits until a job cancellation has arrived on every silo since <see cref="BeforeCancel"/>.</summary>
    public Task WaitUntilCancellationReachedEverySiloAsync() => Eventually.UntilAsync(
        () => _jobs.All(j => j.LastCancelledAt >= _cancelledAt),
        Eventually.Deadline,
        () => "the job's cancellation to reach every silo (" + Describe() + ")");

    /// <summary>The chunks running at cancel are all still running (held at their gates).</summary>
    public void AssertStillRunningAsAtCancel() => Assert.Equal(_runningAtCancel, _activities.Select(a => a.Running));

    /// <summary>Waits until every chunk running at cancel has stopped as cancelled and every worker is idle.</summary>
    public Task WaitUntilStoppedAndIdleAsync() => Eventually.UntilAsync(
        () => _activities.Select((a, i) => a.Cancelled - _cancelledBefore[i] >= _runningAtCancel[i] && a.Running == 0).All(stopped => stopped),
        Eventually.Deadline,
        () => "every chunk running at cancel to stop as cancelled on its silo and every worker to be idle (" + Describe() + ")");

    private string Describe() =>
        $"cancellation arrived: {string.Join(", ", _jobs.Select(j => j.LastCancelledAt >= _cancelledAt))}; running: {string.Join(", ", _activities.Select(a => a.Running))}; " +
        $"cancelled: {string.Join(", ", _activities.Select(a => a.Cancelled))} after {string.Join(", ", _cancelledBefore)}; running at cancel: {string.Join(", ", _runningAtCancel)}";
}
