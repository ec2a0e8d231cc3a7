using Microsoft.Extensions.Hosting;

namespace GrainPool.Client;

/// <summary>
/// The lifetime of a host that a library starts inside someone else's program: it never listens for Ctrl+C, SIGTERM
/// or SIGQUIT (the default console lifetime would, swallowing the program's own signals and stopping the host behind
/// its back); the owner stops the host by disposing what started it.
/// </summary>
internal sealed class CallerOwnedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
