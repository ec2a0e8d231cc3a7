using System.Runtime.InteropServices;

namespace GrainPool.Hosting;

/// <summary>
/// The host lifetime of a silo that a launcher owns (<see cref="GrainPoolSiloOptions.ParentProcessId"/> is set). It
/// stops on SIGTERM but ignores SIGINT and SIGQUIT: Ctrl+C in the launcher's terminal reaches every process of the
/// foreground group at once, and silos stopping on their own, primary included, would race the launcher's orderly
/// stop (secondaries first, then the primary that hosts the membership table).
/// </summary>
internal sealed class LaunchedSiloLifetime(IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            lifetime.StopApplication();
        }));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context => context.Cancel = true));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
