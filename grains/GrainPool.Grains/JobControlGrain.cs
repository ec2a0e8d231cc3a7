using GrainPool.Abstractions;
using Orleans.Concurrency;

namespace GrainPool.Grains;

/// <summary>
/// One per silo (placed by its key extension, like the workers): records job cancellations for the silo's workers.
/// Kept alive once activated, so that a cancellation never waits for a new activation.
/// </summary>
[CoreSlotPlacement, Reentrant, KeepAlive]
public sealed class JobControlGrain(JobCancellations cancellations) : Grain, IJobControlGrain
{
    /// <inheritdoc />
    public Task CancelJobAsync(Guid job)
    {
        cancellations.Cancel(job);
        return Task.CompletedTask;
    }
}
