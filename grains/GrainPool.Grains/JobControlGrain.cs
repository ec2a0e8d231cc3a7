using GrainPool.Abstractions;
using Orleans.Concurrency;

namespace GrainPool.Grains;

/// <summary>One per silo (placed by its key extension, like the workers): records job cancellations for the silo's workers.</summary>
[CoreSlotPlacement, Reentrant]
public sealed class JobControlGrain(JobCancellations cancellations) : Grain, IJobControlGrain
{
    /// <inheritdoc />
    public Task CancelJobAsync(Guid job)
    {
        cancellations.Cancel(job);
        return Task.CompletedTask;
    }
}
