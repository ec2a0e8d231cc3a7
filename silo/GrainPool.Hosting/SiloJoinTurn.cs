using System.Diagnostics;

namespace GrainPool.Hosting;

/// <summary>
/// Silos started together on one machine take turns to join the cluster: each holds an exclusive lock on one shared file
/// (<see cref="GrainPoolSiloOptions.JoinLockFile"/>) around each of its two writes to the membership table while it
/// starts (itself as joining, then as active). Every write to the membership table is conditional on the table's version, so silos joining at the
/// same moment conflict, and Orleans retries the silo that lost only after a contention back-off of 2 to 4 s that it
/// does not let anyone configure (MembershipTableManager). Measured with four silos started at once on two CPUs: two of
/// the three joiners lost a write and each waited about 3 s. The rest of each silo's start (runtime, host, Orleans
/// services, compilation) still runs in parallel, and so does everything between the two writes (the application's
/// services, checking connectivity to the other silos); only the writes take turns.
/// </summary>
/// <remarks>
/// The lock is the operating system's (<see cref="FileShare.None"/>, flock on Linux), so it goes with the process if it
/// dies. A silo that cannot get its turn within <see cref="MaxWait"/> goes on without it, as it would with no lock file.
/// </remarks>
internal sealed partial class SiloJoinTurn(string lockFile, string name, ILogger<SiloJoinTurn> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private FileStream? _held;
    private Stopwatch? _heldFor;

    public void Participate(ISiloLifecycle lifecycle)
    {
        // Orleans writes Joining at stage AfterRuntimeGrainServices and Active at BecomeActive (MembershipAgent), each
        // a read of the table and a write conditional on its version; a turn spans one such stage.
        Subscribe(lifecycle, "Joining", ServiceLifecycleStage.AfterRuntimeGrainServices);
        Subscribe(lifecycle, "Active", ServiceLifecycleStage.BecomeActive);
    }

    public void Dispose() => Release();

    private void Subscribe(ISiloLifecycle lifecycle, string write, int stage)
    {
        lifecycle.Subscribe(nameof(SiloJoinTurn) + "." + write, stage - 1, TakeTurnAsync, _ => Release());
        lifecycle.Subscribe(nameof(SiloJoinTurn) + "." + write + ".Done", stage + 1, _ => Release(), _ => Task.CompletedTask);
    }

    private async Task TakeTurnAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < MaxWait)
        {
            try
            {
                var held = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
                lock (_gate)
                {
                    _held = held;
                    _heldFor = Stopwatch.StartNew();
                }

                LogTurnTaken(logger, name, waited.Elapsed.TotalMilliseconds);
                return;
            }
            catch (IOException)
            {
                // Another silo's turn.
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        LogTurnNotTaken(logger, name, lockFile, MaxWait.TotalSeconds);
    }

    private Task Release()
    {
        FileStream? held;
        double heldMs;
        lock (_gate)
        {
            (held, _held) = (_held, null);
            heldMs = _heldFor?.Elapsed.TotalMilliseconds ?? 0;
        }

        if (held is not null)
        {
            held.Dispose();
            LogTurnReleased(logger, name, heldMs);
        }

        return Task.CompletedTask;
    }
}
