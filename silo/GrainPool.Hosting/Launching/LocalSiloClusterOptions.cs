namespace GrainPool.Hosting.Launching;

/// <summary>How <see cref="LocalSiloCluster.StartAsync"/> lays out a cluster of silo processes on this machine.</summary>
public sealed record LocalSiloClusterOptions
{
    /// <summary>Number of silo processes. Default 2.</summary>
    public int SiloCount { get; init; } = 2;

    /// <summary>
    /// Pin each silo to its own share of this machine's CPUs (see <see cref="LocalSiloCluster.PlanCpuSets"/>). Default
    /// true; ignored where the OS has no affinity API (macOS).
    /// </summary>
    public bool PinToCpus { get; init; } = true;

    /// <summary>
    /// The CPUs <see cref="PinToCpus"/> divides among the silos. Default: every CPU this process may run on
    /// (<see cref="CpuAffinity.AvailableCpus"/>). A scaling run gives the first N of them to run N cores' worth.
    /// </summary>
    public IReadOnlyList<int>? Cpus { get; init; }

    /// <summary>
    /// Cores each silo advertises. Default: the size of its CPU set when pinned, otherwise an even share of the
    /// processor count (at least 1).
    /// </summary>
    public int? CoresPerSilo { get; init; }

    /// <summary>
    /// The Redis server (<c>host:port</c>) to keep the membership table in. Then there is no primary: the silos listen
    /// on distinct loopback addresses (127.0.0.2, 127.0.0.3, ...; see <see cref="LocalSiloCluster.RedisSiloAddress"/>),
    /// each advertising its own, and clients find their gateways in Redis. Default: none, localhost clustering (all
    /// silos on 127.0.0.1, the first is the primary).
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>Orleans cluster id. Default: <c>grainpool-</c> plus a random suffix, so the cluster never meets another.</summary>
    public string? ClusterId { get; init; }

    /// <summary>Orleans service id. Default <c>grainpool</c>.</summary>
    public string ServiceId { get; init; } = "grainpool";

    /// <summary>Path of GrainPool.Silo.dll. Default <see cref="LocalSiloProcess.DefaultSiloAssemblyPath"/>.</summary>
    public string? SiloAssemblyPath { get; init; }

    /// <summary>How long each silo may take to report ready. Default 60 s.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>More arguments for every silo, e.g. <c>["--slice-target-ms", "20"]</c>.</summary>
    public IReadOnlyList<string> AdditionalArguments { get; init; } = [];
}
