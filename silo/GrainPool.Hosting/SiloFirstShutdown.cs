namespace GrainPool.Hosting;

/// <summary>
/// Stops the Orleans silo before the HTTP server. The host stops services in reverse order of registration and
/// Kestrel is registered last, so it would close first and <c>/healthz</c> would refuse connections for the whole
/// graceful leave (chunks in flight can take up to the shutdown timeout). Stopping the silo in the host's "stopping"
/// phase, which runs before any service stops, keeps <c>/healthz</c> answering <c>shutting-down</c> until the silo
/// has left the cluster; Orleans' own hosted service then finds the silo already stopped.
/// </summary>
internal sealed class SiloFirstShutdown(Orleans.Runtime.Silo silo) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await silo.StopAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // Not running (still joining, or failed to start): Orleans' own hosted service deals with that state.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
