using System.Globalization;

namespace GrainPool.Abstractions;

/// <summary>
/// The membership modes silos and clients agree on, and the one rule for a Redis address: silos
/// (<c>GrainPoolSiloOptions</c>), clients (<c>GrainPoolClientOptions</c>) and the grainpool command all check it here.
/// </summary>
public static class ClusterMembership
{
    /// <summary>
    /// Orleans' development membership: a primary silo hosts the table, every silo advertises 127.0.0.1, so all silos
    /// run on one machine. The default.
    /// </summary>
    public const string Localhost = "localhost";

    /// <summary>Membership in a Redis server (<c>Microsoft.Orleans.Clustering.Redis</c>): no primary, silos on any hosts.</summary>
    public const string Redis = "redis";

    /// <summary>Whether <paramref name="mode"/> names <see cref="Redis"/> (case-insensitive).</summary>
    public static bool IsRedis(string? mode) => string.Equals(mode, Redis, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="mode"/> names <see cref="Localhost"/> (case-insensitive).</summary>
    public static bool IsLocalhost(string? mode) => string.Equals(mode, Localhost, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <paramref name="connectionString"/> as error messages and logs may show it: the value of each <c>password=</c>
    /// setting replaced by <c>***</c>, so a secret given with <c>--redis</c> is never echoed back.
    /// </summary>
    public static string Redacted(string? connectionString) =>
        connectionString is null
            ? string.Empty
            : string.Join(',', connectionString.Split(',').Select(part =>
                part.Split('=', 2) is [var key, _] && key.Trim().Equals("password", StringComparison.OrdinalIgnoreCase) ? key + "=***" : part));

    /// <summary>
    /// Checks a Redis connection string: one or more <c>host:port</c> endpoints, comma-separated, optionally followed
    /// by StackExchange.Redis settings (<c>key=value</c>, e.g. <c>password=...</c>). Returns null when it is usable,
    /// otherwise what is wrong with it (without the value, which the caller names with its option).
    /// </summary>
    public static string? CheckRedisConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "is required with redis clustering (host:port of the Redis server)";
        }

        var endpoints = 0;
        var parts = connectionString.Split(',', StringSplitOptions.TrimEntries);
        foreach (var part in parts)
        {
            if (part.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            var colon = part.LastIndexOf(':');
            var host = colon > 0 ? part[..colon].Trim('[', ']') : string.Empty;
            if (colon <= 0 || host.Length == 0 || host.Any(char.IsWhiteSpace)
                || !int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                const string Expected = "host:port with a port from 1 to 65535";
                return parts.Length == 1 ? "is not " + Expected : $"has '{part}', which is not {Expected}";
            }

            endpoints++;
        }

        return endpoints > 0 ? null : "names no Redis server; expected host:port";
    }
}
