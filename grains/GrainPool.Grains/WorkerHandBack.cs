using Microsoft.Extensions.Logging;

namespace GrainPool.Grains;

/// <summary>
/// Hands the chunks of a leaving silo back as soon as it begins to stop: the first thing a silo's stop does is leave
/// the Active stage, and here that stops the workers' chunks at their next slice (<see cref="WorkerThreads.BeginStopping"/>),
/// before Orleans deactivates the workers, which would otherwise wait for every chunk in flight to finish on this silo.
/// </summary>
internal sealed partial class WorkerHandBack(WorkerThreads threads, WorkerActivity activity, ILogger<WorkerHandBack> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            nameof(WorkerHandBack),
            ServiceLifecycleStage.Active,
            _ => Task.CompletedTask,
            _ =>
            {
                LogHandingBack(logger, activity.Running);
                threads.BeginStopping();
                return Task.CompletedTask;
            });
}
