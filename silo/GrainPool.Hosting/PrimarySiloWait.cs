using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GrainPool.Hosting;

/// <summary>
/// On a secondary silo, holds the start just before the silo reads the membership table until the primary silo's port
/// accepts connections. Secondaries are started together with the primary; one that gets there first would have its
/// connection refused, and Orleans retries it only about two seconds later (measured: a secondary ready in 4 s instead of
/// 1.5). Waiting here costs a connect every <see cref="PollInterval"/>; after <see cref="MaxWait"/> the start goes on
/// and Orleans reports an absent primary as it always has.
/// </summary>
internal sealed partial class PrimarySiloWait(IPEndPoint primary, string name, ILogger<PrimarySiloWait> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PrimarySiloWait), ServiceLifecycleStage.RuntimeGrainServices - 1, WaitForPrimaryAsync);

    private async Task WaitForPrimaryAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < MaxWait)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(primary, cancellationToken);
                LogPrimaryAnswered(logger, name, primary.Port, clock.Elapsed.TotalMilliseconds);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
