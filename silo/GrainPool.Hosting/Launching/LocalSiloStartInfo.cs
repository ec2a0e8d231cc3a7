namespace GrainPool.Hosting.Launching;

/// <summary>What <see cref="LocalSiloProcess.StartAsync"/> starts: one silo process on a loopback address.</summary>
public sealed record LocalSiloStartInfo
{
    /// <summary>Silo name (<c>--name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Silo-to-silo port (<c>--silo-port</c>).</summary>
    public required int SiloPort { get; init; }

    /// <summary>Gateway port (<c>--gateway-port</c>).</summary>
    public required int GatewayPort { get; init; }

    /// <summary>
    /// Silo port of the primary silo (<c>--primary-port</c>) with localhost clustering; this silo's own port makes it the
    /// primary. Null (the default) with <see cref="Redis"/>, which has no primary, or for a silo that is its own primary.
    /// </summary>
    public int? PrimarySiloPort { get; init; }

    /// <summary>
    /// The Redis server of the membership table (<c>--clustering redis --redis</c>); null (the default) for localhost
    /// clustering.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>
    /// Address the silo listens on and, with <see cref="Redis"/>, advertises (<c>--listen-address</c>). Default
    /// <c>127.0.0.1</c>.
    /// </summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>Advertised cores, i.e. worker slots (<c>--cores</c>).</summary>
    public required int Cores { get; init; }

    /// <summary>Orleans cluster id (<c>--cluster-id</c>).</summary>
    public required string ClusterId { get; init; }

    /// <summary>Orleans service id (<c>--service-id</c>). Default <c>grainpool</c>.</summary>
    public string ServiceId { get; init; } = "grainpool";

    /// <summary>HTTP port (<c>--http-port</c>). Default 0: the silo picks one and reports it in its ready line.</summary>
    public int HttpPort { get; init; }

    /// <summary>
    /// The join lock file shared by the silos started together (<c>--join-lock</c>, see
    /// <see cref="GrainPoolSiloOptions.JoinLockFile"/>); null for none.
    /// </summary>
    public string? JoinLockFile { get; init; }

    /// <summary>CPUs to pin the process to; null runs it unpinned.</summary>
    public IReadOnlyList<int>? CpuSet { get; init; }

    /// <summary>Path of GrainPool.Silo.dll. Default <see cref="LocalSiloProcess.DefaultSiloAssemblyPath"/>.</summary>
    public string? SiloAssemblyPath { get; init; }

    /// <summary>How long to wait for the ready line before killing the process. Default 60 s.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>More arguments for the silo, e.g. <c>["--slice-target-ms", "20"]</c>.</summary>
    public IReadOnlyList<string> AdditionalArguments { get; init; } = [];
}
