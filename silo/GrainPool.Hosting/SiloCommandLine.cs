namespace GrainPool.Hosting;

/// <summary>
/// The silo's short command-line flags. Each maps to a key of the <see cref="GrainPoolSiloOptions.SectionName"/>
/// section, so <c>--silo-port 11112</c> and <c>--GrainPool:Silo:SiloPort 11112</c> mean the same.
/// </summary>
public static class SiloCommandLine
{
    private static readonly Dictionary<string, string> Mappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--silo-port"] = Key(nameof(GrainPoolSiloOptions.SiloPort)),
        ["--gateway-port"] = Key(nameof(GrainPoolSiloOptions.GatewayPort)),
        ["--http-port"] = Key(nameof(GrainPoolSiloOptions.HttpPort)),
        ["--primary-port"] = Key(nameof(GrainPoolSiloOptions.PrimarySiloPort)),
        ["--cores"] = Key(nameof(GrainPoolSiloOptions.AdvertisedCores)),
        ["--cluster-id"] = Key(nameof(GrainPoolSiloOptions.ClusterId)),
        ["--service-id"] = Key(nameof(GrainPoolSiloOptions.ServiceId)),
        ["--name"] = Key(nameof(GrainPoolSiloOptions.Name)),
        ["--clustering"] = Key(nameof(GrainPoolSiloOptions.Clustering)),
        ["--redis"] = Key(nameof(GrainPoolSiloOptions.Redis)),
        ["--listen-address"] = Key(nameof(GrainPoolSiloOptions.ListenAddress)),
        ["--advertise-address"] = Key(nameof(GrainPoolSiloOptions.AdvertiseAddress)),
        ["--slice-target-ms"] = Key(nameof(GrainPoolSiloOptions.SliceTargetMs)),
        ["--shutdown-timeout"] = Key(nameof(GrainPoolSiloOptions.ShutdownTimeoutSeconds)),
        ["--parent-pid"] = Key(nameof(GrainPoolSiloOptions.ParentProcessId)),
        ["--dashboard"] = Key(nameof(GrainPoolSiloOptions.Dashboard)),
        ["--join-lock"] = Key(nameof(GrainPoolSiloOptions.JoinLockFile)),
        ["--probe-timeout-ms"] = Key(nameof(GrainPoolSiloOptions.ProbeTimeoutMs)),
        ["--missed-probes"] = Key(nameof(GrainPoolSiloOptions.MissedProbesLimit)),
        ["--death-votes"] = Key(nameof(GrainPoolSiloOptions.DeathVotes)),
        ["--heartbeat-seconds"] = Key(nameof(GrainPoolSiloOptions.HeartbeatSeconds)),
        ["--handshake-timeout"] = Key(nameof(GrainPoolSiloOptions.HandshakeTimeoutSeconds)),
        ["--idle-timeout"] = Key(nameof(GrainPoolSiloOptions.IdleTimeoutSeconds)),
        ["--max-connections"] = Key(nameof(GrainPoolSiloOptions.MaxConnectionsPerPort)),

        // Security. The passwords have no short flag: environment variables or files keep them off the command line.
        ["--dashboard-user"] = Key(nameof(GrainPoolSiloOptions.DashboardUser)),
        ["--dashboard-password-file"] = Key(nameof(GrainPoolSiloOptions.DashboardPasswordFile)),
        ["--tls-certificate"] = Key(nameof(GrainPoolSiloOptions.TlsCertificate)),
        ["--tls-password-file"] = Key(nameof(GrainPoolSiloOptions.TlsCertificatePasswordFile)),
        ["--tls-trust"] = Key(nameof(GrainPoolSiloOptions.TlsTrust)),
        ["--tls-ca"] = Key(nameof(GrainPoolSiloOptions.TlsCaCertificate)),
    };

    /// <summary>Short flag to configuration key.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings => Mappings;

    /// <summary>
    /// Adds <paramref name="args"/> as the last (highest-precedence) configuration source, with the short flags mapped.
    /// </summary>
    public static IConfigurationBuilder AddSiloCommandLine(this IConfigurationBuilder configuration, string[] args) =>
        configuration.AddCommandLine(args, Mappings);

    /// <summary>The short flag of an option property, or null when it has none.</summary>
    public static string? FlagFor(string optionName)
    {
        var key = Key(optionName);
        return SwitchMappings.FirstOrDefault(m => string.Equals(m.Value, key, StringComparison.OrdinalIgnoreCase)).Key;
    }

    private static string Key(string optionName) => GrainPoolSiloOptions.SectionName + ":" + optionName;
}
