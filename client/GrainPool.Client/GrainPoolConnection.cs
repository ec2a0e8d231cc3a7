using System.Net;
using GrainPool.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrainPool.Client;

/// <summary>A client connection to a running GrainPool cluster; dispose it to disconnect.</summary>
public sealed class GrainPoolConnection : IAsyncDisposable
{
    private readonly IHost _host;

    private GrainPoolConnection(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<GrainPoolClient>();
    }

    /// <summary>The map-style API over the connected cluster.</summary>
    public GrainPoolClient Client { get; }

    /// <summary>
    /// Connects to the cluster through the given gateways (for example <c>127.0.0.1:30000</c>); any one reachable
    /// gateway is enough.
    /// </summary>
    public static async Task<GrainPoolConnection> ConnectAsync(
        IEnumerable<IPEndPoint> gateways,
        string clusterId = GrainPoolClientOptions.DefaultClusterId,
        string serviceId = GrainPoolClientOptions.DefaultClusterId,
        CancellationToken cancellationToken = default)
    {
        var endpoints = gateways.ToArray();
        if (endpoints.Length == 0)
        {
            throw new ArgumentException("At least one gateway endpoint is needed.", nameof(gateways));
        }

        return await ConnectAsync(
            options =>
            {
                options.Gateways = [.. endpoints.Select(e => e.ToString())];
                options.ClusterId = clusterId;
                options.ServiceId = serviceId;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects to the cluster whose silos keep their membership in the Redis server <paramref name="redis"/>
    /// (<c>host:port</c>, the silos' <c>--redis</c>): the gateways are the active silos found there.
    /// </summary>
    public static Task<GrainPoolConnection> ConnectThroughRedisAsync(
        string redis,
        string clusterId = GrainPoolClientOptions.DefaultClusterId,
        string serviceId = GrainPoolClientOptions.DefaultClusterId,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(redis);
        return ConnectAsync(
            options =>
            {
                options.Clustering = ClusterMembership.Redis;
                options.Redis = redis;
                options.ClusterId = clusterId;
                options.ServiceId = serviceId;
            },
            cancellationToken);
    }

    /// <summary>
    /// Connects with the <see cref="GrainPoolClientOptions"/> that <paramref name="configure"/> sets (gateways, or Redis
    /// membership; cluster and service id). Invalid options throw <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.
    /// </summary>
    public static Task<GrainPoolConnection> ConnectAsync(Action<GrainPoolClientOptions> configure, CancellationToken cancellationToken = default) =>
        ConnectAsync(configure, null, cancellationToken);

    /// <summary>
    /// Connects as <see cref="ConnectAsync(Action{GrainPoolClientOptions}, CancellationToken)"/> does; <paramref name="log"/>,
    /// when given, also gets what the client notices (a silo lost, a chunk run again; information and up) and Orleans'
    /// warnings (a gateway that cannot be reached), which the console log leaves out for the client.
    /// </summary>
    public static async Task<GrainPoolConnection> ConnectAsync(Action<GrainPoolClientOptions> configure, ILoggerProvider? log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = Host.CreateApplicationBuilder([HostConfiguration.NoReloadArgument]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The program that connects reports its jobs' errors itself; the client's own warnings would only repeat them
        // on the console (stdout, mixed into a program's output).
        builder.Logging.AddFilter(typeof(GrainPoolClient).FullName, LogLevel.Error);
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
            // Rules for one provider win over the rules for all: this one gets Orleans' warnings and GrainPool's
            // information too (a chunk run again, a route to a silo's gateway that failed).
            builder.Services.Configure<LoggerFilterOptions>(filters =>
            {
                filters.Rules.Add(new LoggerFilterRule(log.GetType().FullName, null, LogLevel.Warning, null));
                filters.Rules.Add(new LoggerFilterRule(log.GetType().FullName, nameof(GrainPool), LogLevel.Information, null));
            });
        }

        builder.Services.AddSingleton<IHostLifetime, CallerOwnedHostLifetime>();
        builder.AddGrainPoolClient(configure);
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new GrainPoolConnection(host);
    }

    /// <summary>Parses <c>host:port</c> gateway addresses (host names are resolved).</summary>
    public static IPEndPoint[] ParseGateways(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseGateway)];
    }

    /// <summary>
    /// Checks that <paramref name="list"/> is gateways as <c>host:port,...</c> and splits it, without resolving any name
    /// (that waits for <see cref="ResolveGatewaysAsync"/>, when the connection is made).
    /// </summary>
    /// <exception cref="FormatException">An entry is not host:port with a port from 1 to 65535.</exception>
    public static IReadOnlyList<(string Host, int Port)> SplitGateways(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SplitGateway)];
    }

    /// <summary>The gateways of <paramref name="list"/> (<c>host:port,...</c>), names resolved now (IPv4 first).</summary>
    /// <exception cref="FormatException">An entry is not host:port, or its host does not resolve.</exception>
    public static async Task<IPEndPoint[]> ResolveGatewaysAsync(string list, CancellationToken cancellationToken = default)
    {
        var gateways = SplitGateways(list);
        var endpoints = new IPEndPoint[gateways.Count];
        for (var i = 0; i < endpoints.Length; i++)
        {
            var (host, port) = gateways[i];
            endpoints[i] = new IPEndPoint(IPAddress.TryParse(host, out var ip) ? ip : await ResolveAsync(host, cancellationToken).ConfigureAwait(false), port);
        }

        return endpoints;
    }

    private static (string Host, int Port) SplitGateway(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"Gateway '{text}' is not host:port.");
        }

        var host = text[..colon];
        if (host.StartsWith('[') != host.EndsWith(']'))
        {
            throw new FormatException($"Gateway '{text}' has unbalanced brackets.");
        }

        host = host.StartsWith('[') ? host[1..^1] : host;
        return host.Length is > 0 and <= 255 && !host.Contains('[') && !host.Contains(']')
            ? (host, port)
            : throw new FormatException($"Gateway '{text}' has no host, or one of more than 255 characters.");
    }

    private static IPEndPoint ParseGateway(string text)
    {
        var (host, port) = SplitGateway(text);
        return new IPEndPoint(IPAddress.TryParse(host, out var ip) ? ip : PreferIPv4(host, Dns.GetHostAddresses(host)), port);
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return PreferIPv4(host, await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ArgumentException)
        {
            throw new FormatException($"Gateway host '{host}' does not resolve ({ex.Message}).", ex);
        }
    }

    // Silos listen on IPv4 (127.0.0.1 or a wildcard), so a name that resolves both ways (localhost is often ::1 first) takes its IPv4 address.
    private static IPAddress PreferIPv4(string host, IPAddress[] addresses) =>
        addresses.OrderBy(a => a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork).FirstOrDefault()
            ?? throw new FormatException($"Gateway host '{host}' does not resolve.");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
