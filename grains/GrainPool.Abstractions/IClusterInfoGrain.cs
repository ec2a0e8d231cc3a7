namespace GrainPool.Abstractions;

/// <summary>Tells a client which silos are active and how many worker slots each one offers.</summary>
[Alias("GrainPool.IClusterInfoGrain")]
public interface IClusterInfoGrain : IGrainWithIntegerKey
{
    /// <summary>The active silos in slot order (oldest first) with their advertised cores.</summary>
    [Alias("GetTopology")]
    Task<ClusterTopology> GetTopologyAsync();
}

/// <summary>One active silo and the cores it advertises (its number of worker slots).</summary>
[GenerateSerializer, Immutable, Alias("GrainPool.SiloSlots")]
public sealed record SiloSlots(string Silo, string Name, int Cores, int FirstSlot);

/// <summary>
/// The cluster as the placement director sees it: silos ordered by start time, each owning a contiguous block of
/// worker slots. <see cref="TotalSlots"/> is the number of workers a job should use.
/// </summary>
[GenerateSerializer, Immutable, Alias("GrainPool.ClusterTopology")]
public sealed record ClusterTopology(SiloSlots[] Silos)
{
    /// <summary>Sum of the advertised cores of all active silos.</summary>
    public int TotalSlots => Silos.Length == 0 ? 0 : Silos[^1].FirstSlot + Silos[^1].Cores;
}

/// <summary>Metadata keys GrainPool silos advertise.</summary>
public static class SiloMetadataKeys
{
    /// <summary>Cores this silo offers to compute workers (one worker activation each).</summary>
    public const string Cores = "grainpool.cores";
}
