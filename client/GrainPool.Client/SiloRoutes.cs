using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using GrainPool.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainPool.Client;

/// <summary>
/// Sends chunks (item batches, range chunks, single items) straight to the gateway of the silo whose worker computes
/// them. An Orleans client picks the
/// gateway of a grain call from a hash of the grain's id, not from where the grain lives (Orleans' ClientMessageCenter),
/// so with several silos most batches arrived at another silo, which read the whole batch, wrote it again and forwarded
/// it: measured with two silos, every one of a 10^7-item map's 80 MB of batches crossed two connections and was
/// serialized twice, on the CPUs the workers compute on. Orleans offers a client no way to choose the gateway of a call,
/// so this keeps one more Orleans client per silo (gateway list: that silo alone), connected in the background when the
/// first job runs; until a silo's client is connected, and for any silo it cannot reach, calls go through the main
/// client as before. Range chunks (two numbers each) take these routes too, for another reason: a chunk sent through
/// another silo's gateway waits on that silo as well. A silo that vanishes without resetting its connections (frozen,
/// powered off) holds every call that went through its gateway until Orleans' response timeout, and the main client
/// keeps sending through it until its next gateway-list read; through its own silo's gateway, a chunk depends on
/// that silo alone, whose loss the <see cref="SiloWatch"/> sees.
/// </summary>
/// <remarks>
/// The silos' gateway ports come from Orleans' management grain (its membership entries); the extra clients use the main
/// client's cluster and service ids, and stop when the main client's host stops.
/// </remarks>
internal sealed partial class SiloRoutes
{
    private static readonly ConditionalWeakTable<IGrainFactory, Made> Shared = [];
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private const uint LookupKeys = 16;
    private readonly IGrainFactory _main;
    private readonly ClusterOptions _cluster;
    private readonly ClusterTlsSettings? _tls;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task _refresh = Task.CompletedTask;
    private long _lastRefresh = long.MinValue;
    private int _lookups = -1;

    private SiloRoutes(IGrainFactory main, ClusterOptions cluster, ClusterTlsSettings? tls, ILogger logger, CancellationToken stopping)
    {
        _main = main;
        _cluster = cluster;
        _tls = tls;
        _logger = logger;
        _stopping = stopping;
        stopping.Register(() =>
        {
            foreach (var route in _routes.Values)
            {
                route.DisposeInBackground();
            }
        });
    }

    /// <summary>
    /// The routes of the Orleans client <paramref name="grains"/>, made on first use and shared by all the
    /// <see cref="GrainPoolClient"/>s over it (like <see cref="SiloWatch"/>): null when it is not an external Orleans
    /// client in a host that can own more clients (inside a silo, whose calls go to the hosting silo directly, or a
    /// factory without a host), or when its <see cref="GrainPoolClientOptions.SiloRoutes"/> is false.
    /// </summary>
    public static SiloRoutes? For(IGrainFactory grains, ILogger logger) =>
        Shared.GetValue(grains, g => new Made(TryCreate(g, logger))).Routes;

    /// <summary>The routes of <paramref name="grains"/> if a job has made them (<see cref="For"/>), else null.</summary>
    public static SiloRoutes? Existing(IGrainFactory grains) => Shared.TryGetValue(grains, out var made) ? made.Routes : null;

    private static SiloRoutes? TryCreate(IGrainFactory grains, ILogger logger)
    {
        if (grains is not IClusterClient client
            || client.ServiceProvider.GetService<ILocalSiloDetails>() is not null
            || client.ServiceProvider.GetService<IHostApplicationLifetime>() is not { } lifetime
            || client.ServiceProvider.GetService<IOptions<ClusterOptions>>()?.Value is not { } cluster)
        {
            return null;
        }

        // A cluster that requires TLS takes the extra clients only with the main client's certificate and trust.
        var options = client.ServiceProvider.GetService<IOptions<GrainPoolClientOptions>>()?.Value;
        if (options is { SiloRoutes: false })
        {
            return null;
        }

        var tls = options?.Tls;
        return new SiloRoutes(grains, cluster, tls is { Enabled: true } ? tls : null, logger, lifetime.ApplicationStopping);
    }

    /// <summary>
    /// The grain factory whose calls reach <paramref name="silo"/> (a parsable silo address) through that silo's own
    /// gateway, or null (use the main client) while it is not connected yet or cannot be.
    /// </summary>
    public IGrainFactory? GrainsFor(string silo)
    {
        if (_routes.TryGetValue(silo, out var route))
        {
            return route.Grains;
        }

        RefreshSoon();
        return null;
    }

    /// <summary>Looks up the silos' gateways and connects to the new ones, now; for tests.</summary>
    public async Task ConnectNowAsync()
    {
        await RefreshAsync().ConfigureAwait(false);
        await Task.WhenAll(_routes.Values.Select(r => r.Connecting)).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts connecting as a job starts, while it reads the topology, when no silo is known yet; after that, a job's
    /// silo that has no route yet triggers the lookup (<see cref="GrainsFor"/>), so jobs do not ask for the gateways each time.
    /// </summary>
    public void Prepare()
    {
        if (_routes.IsEmpty)
        {
            RefreshSoon();
        }
    }

    // Looks up the silos' gateways at most once a second, in the background.
    private void RefreshSoon()
    {
        lock (_gate)
        {
            var now = Environment.TickCount64;
            if (_stopping.IsCancellationRequested || !_refresh.IsCompleted || (_lastRefresh != long.MinValue && now - _lastRefresh < RefreshInterval.TotalMilliseconds))
            {
                return;
            }

            _lastRefresh = now;
            _refresh = Task.Run(RefreshAsync);
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            // Each lookup under another key, which the main client sends through another gateway (it picks a call's
            // gateway from the grain's id), and within a time limit: one silo that vanished cannot hold the lookups.
            var key = (uint)Interlocked.Increment(ref _lookups) % LookupKeys;
            var hosts = await _main.GetGrain<IManagementGrain>(key).GetDetailedHosts(onlyActive: true).WaitAsync(SiloWatch.AnswerTimeout, _stopping).ConfigureAwait(false);
            var live = new HashSet<string>(StringComparer.Ordinal);
            foreach (var host in hosts)
            {
                var silo = host.SiloAddress.ToParsableString();
                live.Add(silo);
                if (host.ProxyPort > 0 && !_routes.ContainsKey(silo))
                {
                    var gateway = new IPEndPoint(host.SiloAddress.Endpoint.Address, host.ProxyPort);
                    _routes[silo] = new Route(ConnectAsync(silo, gateway));
                }
            }

            foreach (var gone in _routes.Keys.Where(k => !live.Contains(k)).ToList())
            {
                if (_routes.TryRemove(gone, out var route))
                {
                    route.DisposeInBackground();
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRoutesUnavailable(_logger, ex.GetType().Name, ex.Message);
        }
    }

    private async Task<GrainPoolConnection?> ConnectAsync(string silo, IPEndPoint gateway)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
            timeout.CancelAfter(ConnectTimeout);
            var connection = await GrainPoolConnection.ConnectAsync(
                options =>
                {
                    options.Gateways = [gateway.ToString()];
                    options.ClusterId = _cluster.ClusterId;
                    options.ServiceId = _cluster.ServiceId;
                    if (_tls is not null)
                    {
                        options.Tls = _tls;
                    }
                },
                timeout.Token).ConfigureAwait(false);
            LogRouteConnected(_logger, silo, gateway.ToString());
            return connection;
        }
        catch (Exception ex)
        {
            LogRouteFailed(_logger, silo, gateway.ToString(), ex.GetType().Name, ex.Message);
            return null;
        }
    }

    private sealed record Made(SiloRoutes? Routes);

    private sealed class Route(Task<GrainPoolConnection?> connecting)
    {
        public Task Connecting => connecting;

        public IGrainFactory? Grains => connecting.IsCompletedSuccessfully ? connecting.Result?.Client.Grains : null;

        public void DisposeInBackground() => _ = DisposeAsync();

        private async Task DisposeAsync()
        {
            if (await connecting.ConfigureAwait(false) is { } connection)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
