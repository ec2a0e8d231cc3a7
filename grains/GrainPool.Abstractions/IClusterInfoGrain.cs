namespace GrainPool.Abstractions;

/// <summary>Tells a client which silos are active and how many worker slots each one offers.</summary>
[Alias("GrainPool.IClusterInfoGrain")]
public interface IClusterInfoGrain : IGrainWithIntegerKey
{
    /// <summary>The active silos in slot order (oldest first) with their advertised cores.</summary>
    [Alias("GetTopology")]
    Task<ClusterTopology> GetTopologyAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers at once. A stateless worker is activated on the silo a call arrives at, so through a silo's own gateway
    /// (a client's route to that silo) it is that silo that answers, with no other silo on the way once it has seen the
    /// key (a key it has not seen is first looked up in the grain directory, whose partition may be on a silo that just died).
    /// </summary>
    [Alias("Ping")]
    Task PingAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// One active silo and the cores it advertises (its number of worker slots). <see cref="Silo"/> is its parsable
/// address, the key extension of its workers; <see cref="FirstSlot"/> numbers its slots within the whole cluster.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainPool.SiloSlots")]
public sealed record SiloSlots(string Silo, string Name, int Cores, int FirstSlot);

/// <summary>
/// The cluster as the placement director sees it: silos ordered by start time, each owning a contiguous block of
/// worker slots. <see cref="TotalSlots"/> is the number of workers a job should use. <see cref="Dead"/> lists the silos
/// membership has declared dead (parsable addresses): a client stops waiting for calls it has on them;
/// <see cref="Leaving"/> those stopping gracefully (their chunks come back to their callers).
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainPool.ClusterTopology")]
public sealed record ClusterTopology(SiloSlots[] Silos, string[] Dead, string[] Leaving)
{
    /// <summary>A topology of active silos only, none known dead or leaving.</summary>
    public ClusterTopology(SiloSlots[] silos)
        : this(silos, [], [])
    {
    }

    /// <summary>Sum of the advertised cores of all active silos.</summary>
    public int TotalSlots => Silos.Length == 0 ? 0 : Silos[^1].FirstSlot + Silos[^1].Cores;

    /// <summary>
    /// Every worker of the cluster, interleaved across silos (core 0 of each silo, then core 1, ...), so that a job
    /// limited to the first N workers still spreads over the silos.
    /// </summary>
    public WorkerKey[] Workers()
    {
        var workers = new List<WorkerKey>(TotalSlots);
        var maxCores = Silos.Length == 0 ? 0 : Silos.Max(s => s.Cores);
        for (var core = 0; core < maxCores; core++)
        {
            foreach (var silo in Silos)
            {
                if (core < silo.Cores)
                {
                    workers.Add(new WorkerKey(core, silo.Silo));
                }
            }
        }

        return [.. workers];
    }
}

/// <summary>Metadata keys GrainPool silos advertise.</summary>
public static class SiloMetadataKeys
{
    /// <summary>Cores this silo offers to compute workers (one worker activation each).</summary>
    public const string Cores = "grainpool.cores";
}
