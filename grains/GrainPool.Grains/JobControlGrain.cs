using GrainPool.Abstractions;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace GrainPool.Grains;

/// <summary>
/// One per silo (placed by its key extension, like the workers; key 0, and keys 1-7 only answer pings): records job
/// cancellations for the silo's workers, in the silo's shared <see cref="JobCancellations"/>.
/// Kept alive once activated, so that a cancellation never waits for a new activation.
/// </summary>
[CoreSlotPlacement, Reentrant, KeepAlive]
public sealed partial class JobControlGrain(JobCancellations cancellations, ILocalSiloDetails silo, ILogger<JobControlGrain> logger) : Grain, IJobControlGrain
{
    /// <inheritdoc />
    public Task CancelJobAsync(Guid job)
    {
        cancellations.Cancel(job);
        LogJobCancelled(logger, job, silo.Name);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
