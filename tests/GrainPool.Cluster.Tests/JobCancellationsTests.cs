using GrainPool.Grains;

namespace GrainPool.Cluster.Tests;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class JobCancellationsTests
{
    [Fact]
    public void A_cancelled_job_is_remembered_and_no_other()
    {
        var cancellations = new JobCancellations();
        var cancelled = Guid.NewGuid();

        cancellations.Cancel(cancelled);

        Assert.True(cancellations.IsCancelled(cancelled));
        Assert.False(cancellations.IsCancelled(Guid.NewGuid()));
        Assert.Equal(1, cancellations.Count);
    }

    [Fact]
    public void Jobs_are_forgotten_after_the_retention_so_memory_stays_bounded()
    {
        var clock = new ManualClock();
        var cancellations = new JobCancellations(TimeSpan.FromMinutes(10), clock);
        var old = Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var job in old)
        {
            cancellations.Cancel(job);
        }

        clock.Advance(TimeSpan.FromMinutes(9));
        var kept = Guid.NewGuid();
        cancellations.Cancel(kept);
        Assert.Equal(1001, cancellations.Count);

        clock.Advance(TimeSpan.FromMinutes(3)); // past the old jobs' retention and the next sweep (every quarter retention)
        var recent = Guid.NewGuid();
        cancellations.Cancel(recent);

        Assert.Equal(2, cancellations.Count);
        Assert.True(cancellations.IsCancelled(recent));
        Assert.True(cancellations.IsCancelled(kept));
        Assert.DoesNotContain(old, cancellations.IsCancelled);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
