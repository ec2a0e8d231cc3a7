using GrainPool.Grains;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// Why a chunk stops decides what the client does with it: a cancelled call or job ends the job, a stopping silo hands
/// the chunk back to be rerun on another worker.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ChunkCancellationTests
{
    [Fact]
    public void A_cancelled_call_is_a_cancellation_even_while_the_silo_stops()
    {
        using var call = new CancellationTokenSource();
        using var stopping = new CancellationTokenSource();
        call.Cancel();
        stopping.Cancel();

        var cancellation = new ChunkCancellation(call.Token, new JobCancellations(), Guid.NewGuid(), stopping.Token);

        Assert.True(cancellation.IsRequested);
        Assert.ThrowsAny<OperationCanceledException>(cancellation.Throw);
    }

    [Fact]
    public void A_cancelled_job_is_a_cancellation_even_while_the_silo_stops()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();
        var jobs = new JobCancellations();
        var job = Guid.NewGuid();
        jobs.Cancel(job);

        var cancellation = new ChunkCancellation(CancellationToken.None, jobs, job, stopping.Token);

        var error = Assert.ThrowsAny<OperationCanceledException>(cancellation.Throw);
        Assert.Contains(job.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stopping_silo_hands_the_chunk_back_as_a_silo_failure_the_client_retries()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();
        var job = Guid.NewGuid();

        var cancellation = new ChunkCancellation(CancellationToken.None, new JobCancellations(), job, stopping.Token);

        Assert.True(cancellation.IsRequested);
        var error = Assert.Throws<SiloUnavailableException>(cancellation.Throw);
        Assert.Contains(job.ToString(), error.Message, StringComparison.Ordinal);
        Assert.True(GrainPool.Client.ChunkDispatcher.IsTransient(error));
    }
}
