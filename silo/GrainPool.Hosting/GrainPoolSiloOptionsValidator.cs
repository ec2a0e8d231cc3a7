using System.Net;
using GrainPool.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainPool.Hosting;

/// <summary>
/// Checks <see cref="GrainPoolSiloOptions"/> before anything listens, naming each bad setting by its configuration key
/// and short flag so the message says what to change.
/// </summary>
public sealed class GrainPoolSiloOptionsValidator : IValidateOptions<GrainPoolSiloOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GrainPoolSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Require(failures, !string.IsNullOrWhiteSpace(options.ClusterId), nameof(options.ClusterId), "must not be empty");
        Require(failures, !string.IsNullOrWhiteSpace(options.ServiceId), nameof(options.ServiceId), "must not be empty");
        RequirePort(failures, options.SiloPort, nameof(options.SiloPort), allowZero: false);
        RequirePort(failures, options.GatewayPort, nameof(options.GatewayPort), allowZero: false);
        RequirePort(failures, options.HttpPort, nameof(options.HttpPort), allowZero: true);
        if (options.PrimarySiloPort is { } primary)
        {
            RequirePort(failures, primary, nameof(options.PrimarySiloPort), allowZero: false);
        }

        Require(failures, options.SiloPort != options.GatewayPort, nameof(options.GatewayPort), $"must differ from SiloPort (both are {options.GatewayPort})");
        Require(failures, options.HttpPort == 0 || (options.HttpPort != options.SiloPort && options.HttpPort != options.GatewayPort),
            nameof(options.HttpPort), $"must differ from SiloPort and GatewayPort (got {options.HttpPort})");
        Require(failures, options.AdvertisedCores is >= 1 and <= 4096, nameof(options.AdvertisedCores), $"must be between 1 and 4096 (got {options.AdvertisedCores})");
        Require(failures, options.SliceTargetMs is >= 1 and <= 1000, nameof(options.SliceTargetMs),
            $"must be between 1 and 1000 ms, short enough for cancellations to be seen promptly (got {options.SliceTargetMs})");
        Require(failures, options.ShutdownTimeoutSeconds is >= 1 and <= 3600, nameof(options.ShutdownTimeoutSeconds),
            $"must be between 1 and 3600 (got {options.ShutdownTimeoutSeconds})");
        Require(failures, options.ProbeTimeoutMs is >= 100 and <= 60_000, nameof(options.ProbeTimeoutMs), $"must be between 100 and 60000 ms (got {options.ProbeTimeoutMs})");
        Require(failures, options.MissedProbesLimit is >= 1 and <= 10, nameof(options.MissedProbesLimit), $"must be between 1 and 10 (got {options.MissedProbesLimit})");
        Require(failures, options.DeathVotes is >= 1 and <= 10, nameof(options.DeathVotes), $"must be between 1 and 10 (got {options.DeathVotes})");
        Require(failures, options.HeartbeatSeconds is >= 1 and <= 300, nameof(options.HeartbeatSeconds), $"must be between 1 and 300 s (got {options.HeartbeatSeconds})");
        Require(failures, options.ParentProcessId is null or > 0, nameof(options.ParentProcessId), $"must be a process id (got {options.ParentProcessId})");

        if (options.JoinLockFile is { } joinLock)
        {
            Require(failures, !string.IsNullOrWhiteSpace(joinLock) && Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(joinLock))),
                nameof(options.JoinLockFile), $"must be a file in an existing folder (got '{joinLock}')");
        }

        Require(failures, options.HandshakeTimeoutSeconds is >= 1 and <= 3600, nameof(options.HandshakeTimeoutSeconds),
            $"must be between 1 and 3600 seconds (got {options.HandshakeTimeoutSeconds})");
        Require(failures, options.IdleTimeoutSeconds is >= 0 and <= 86400, nameof(options.IdleTimeoutSeconds),
            $"must be between 0 (never) and 86400 seconds (got {options.IdleTimeoutSeconds})");
        Require(failures, options.MaxConnectionsPerPort is >= 1 and <= 100_000, nameof(options.MaxConnectionsPerPort),
            $"must be between 1 and 100000 (got {options.MaxConnectionsPerPort})");

        Require(failures, options.Dashboard is GrainPoolSiloOptions.DashboardLoopback or GrainPoolSiloOptions.DashboardAny or GrainPoolSiloOptions.DashboardOff,
            nameof(options.Dashboard), $"must be loopback, any or off (got '{options.Dashboard}')");

        var localhost = ClusterMembership.IsLocalhost(options.Clustering);
        var redis = ClusterMembership.IsRedis(options.Clustering);
        Require(failures, localhost || redis, nameof(options.Clustering),
            $"must be {GrainPoolSiloOptions.LocalhostClustering} (all silos on one machine, membership hosted by the primary silo) or {GrainPoolSiloOptions.RedisClustering} (membership in a Redis server) (got '{options.Clustering}')");
        if (redis)
        {
            if (ClusterMembership.CheckRedisConnectionString(options.Redis) is { } problem)
            {
                Fail(failures, nameof(options.Redis), options.Redis is null ? problem : $"{problem} (got '{ClusterMembership.Redacted(options.Redis)}')");
            }
            else if (RedisSettingsProblem(options.Redis!) is { } settings)
            {
                Fail(failures, nameof(options.Redis), $"has a setting StackExchange.Redis does not accept: {settings} (got '{ClusterMembership.Redacted(options.Redis)}')");
            }

            Require(failures, options.PrimarySiloPort is null, nameof(options.PrimarySiloPort),
                $"applies only to {GrainPoolSiloOptions.LocalhostClustering} clustering: with {GrainPoolSiloOptions.RedisClustering} there is no primary silo (got {options.PrimarySiloPort})");
        }
        else if (localhost)
        {
            Require(failures, options.Redis is null, nameof(options.Redis),
                $"applies only with {GrainPoolSiloOptions.RedisClustering} clustering (got '{options.Redis}' with {GrainPoolSiloOptions.LocalhostClustering})");
            Require(failures, options.AdvertiseAddress is null, nameof(options.AdvertiseAddress),
                $"applies only with {GrainPoolSiloOptions.RedisClustering} clustering; {GrainPoolSiloOptions.LocalhostClustering} clustering advertises 127.0.0.1 (got '{options.AdvertiseAddress}')");
        }

        // Orleans' Kubernetes hosting supplements a real membership store; localhost clustering advertises 127.0.0.1,
        // which no other pod can reach.
        Require(failures, !options.Kubernetes || redis, nameof(options.Kubernetes),
            $"needs {GrainPoolSiloOptions.RedisClustering} clustering (--clustering redis): Orleans' Kubernetes hosting supplements a membership store, and {GrainPoolSiloOptions.LocalhostClustering} clustering advertises 127.0.0.1, which other pods cannot reach (got '{options.Clustering}')");

        // The hosting matches silos to pods by name and declares dead every silo whose name is no pod's: a default
        // name (silo-<address>-<port>) would have it kill the other silos.
        Require(failures, !options.Kubernetes || !string.IsNullOrWhiteSpace(options.Name), nameof(options.Name),
            "must be the pod's name with Kubernetes hosting (--name $(POD_NAME), from the downward API): Orleans' Kubernetes hosting declares dead every silo whose name is not the name of a pod of the cluster");

        if (!IPAddress.TryParse(options.ListenAddress, out var address))
        {
            Fail(failures, nameof(options.ListenAddress), $"'{options.ListenAddress}' is not an IP address");
        }
        else if (localhost && !IPAddress.IsLoopback(address) && !IsWildcard(address))
        {
            Fail(failures, nameof(options.ListenAddress),
                $"'{options.ListenAddress}' cannot be used with localhost clustering, which advertises 127.0.0.1: use a loopback address or 0.0.0.0");
        }
        else if (redis && options.AdvertiseAddress is null && IsWildcard(address))
        {
            Fail(failures, nameof(options.AdvertiseAddress),
                $"is required when the listen address is '{options.ListenAddress}', which other silos and clients cannot connect to: give the address they reach this silo at");
        }

        if (redis && options.AdvertiseAddress is { } advertise)
        {
            if (!IPAddress.TryParse(advertise, out var advertised))
            {
                Fail(failures, nameof(options.AdvertiseAddress), $"'{advertise}' is not an IP address");
            }
            else if (IsWildcard(advertised))
            {
                Fail(failures, nameof(options.AdvertiseAddress), $"'{advertise}' is a wildcard address, which other silos and clients cannot connect to");
            }
        }

        // The dashboard's credential and TLS: files are read here, so a missing file or a wrong password is a
        // configuration error naming its setting, not a failure somewhere in start-up.
        foreach (var (setting, message) in SiloSecurity.Problems(options))
        {
            Fail(failures, setting, message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? RedisSettingsProblem(string connectionString)
    {
        try
        {
            StackExchange.Redis.ConfigurationOptions.Parse(connectionString);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static void RequirePort(List<string> failures, int port, string setting, bool allowZero) =>
        Require(failures, port is >= 1 and <= 65535 || (allowZero && port == 0), setting,
            $"must be a TCP port between {(allowZero ? 0 : 1)} and 65535 (got {port})");

    private static void Require(List<string> failures, bool condition, string setting, string message)
    {
        if (!condition)
        {
            Fail(failures, setting, message);
        }
    }

    private static void Fail(List<string> failures, string setting, string message)
    {
        var flag = SiloCommandLine.FlagFor(setting);
        failures.Add($"{GrainPoolSiloOptions.SectionName}:{setting}{(flag is null ? "" : $" ({flag})")} {message}.");
    }
}
