using System.Diagnostics;
using System.Net;
using GrainPool.Abstractions;
using GrainPool.Cli.Parsing;
using GrainPool.Client;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GrainPool.Cli.Running;

/// <summary>
/// A cluster a command runs on, with what it takes to leave it: the embedded silo to stop, the silo processes to stop
/// (after the client has disconnected from them), or just the client connection to close.
/// </summary>
internal sealed class ClusterSession : IAsyncDisposable
{
    /// <summary>How long a started or joined cluster may take to show its silos and worker slots to the client.</summary>
    public static readonly TimeSpan TopologyDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long joining a cluster may take. The Orleans client keeps retrying unreachable gateways for minutes; a user
    /// who mistyped a port should hear about it sooner.
    /// </summary>
    public static readonly TimeSpan ConnectDeadline = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan TopologyPollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan TopologyProbeTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan GatewayFailurePatience = TimeSpan.FromSeconds(1);

    private readonly Func<ValueTask> _stop;
    private int _stopped;

    private ClusterSession(RunnerMode mode, GrainPoolClient client, ClusterTopology topology, Func<ValueTask> stop)
    {
        Mode = mode;
        Client = client;
        Topology = topology;
        _stop = stop;
    }

    /// <summary>Which kind of cluster this is.</summary>
    public RunnerMode Mode { get; }

    /// <summary>The map-style client over the cluster.</summary>
    public GrainPoolClient Client { get; }

    /// <summary>The silos and worker slots the cluster showed once it was complete.</summary>
    public ClusterTopology Topology { get; }

    /// <summary>Starts a one-silo cluster in this process advertising <paramref name="cores"/> cores.</summary>
    public static async Task<ClusterSession> StartEmbeddedAsync(int cores, CancellationToken cancellationToken)
    {
        var silo = await EmbeddedSilo.StartAsync(cores, cancellationToken);
        try
        {
            var client = new GrainPoolClient(silo.GrainFactory);
            var topology = await WaitForTopologyAsync(client, 1, t => t.Silos.Length == 1 && t.TotalSlots == cores, $"1 silo with {cores} worker slots", cancellationToken);
            return new ClusterSession(RunnerMode.Embedded, client, topology, silo.DisposeAsync);
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts <paramref name="siloCount"/> silo processes on loopback, each pinned to its share of this machine's CPUs
    /// (advertising <paramref name="coresPerSilo"/> cores each, or as many as its share has), and connects to all their
    /// gateways. With <paramref name="redis"/> the silos keep their membership there, each on its own loopback address
    /// (127.0.0.2, ...), and the client finds their gateways there too. <paramref name="cpus"/>, when given, are the CPUs
    /// shared out instead of all of this machine's. <paramref name="log"/>, when given, gets the client's warnings.
    /// </summary>
    public static async Task<ClusterSession> StartSilosAsync(
        int siloCount, int? coresPerSilo, string? clusterId, string? redis, CancellationToken cancellationToken, IReadOnlyList<int>? cpus = null, ILoggerProvider? log = null)
    {
        LocalSiloCluster cluster;
        try
        {
            cluster = await LocalSiloCluster.StartAsync(
                new LocalSiloClusterOptions
                {
                    SiloCount = siloCount,
                    PinToCpus = true,
                    Cpus = cpus,
                    CoresPerSilo = coresPerSilo,
                    ClusterId = clusterId,
                    Redis = redis,

                    // Nobody is shown these silos' HTTP ports, so their dashboards could not be opened; starting one took
                    // about 0.7 s of a silo's 2 s start-up (docs/benchmarks.md, "Start-up"). `stack` keeps it.
                    AdditionalArguments = ["--dashboard", GrainPoolSiloOptions.DashboardOff],
                },
                cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or IOException)
        {
            throw new CliFailureException($"could not start {siloCount} silo processes: {ex.Message}", ex);
        }

        GrainPoolConnection? connection = null;
        try
        {
            connection = await GrainPoolConnection.ConnectAsync(
                options =>
                {
                    if (cluster.Redis is { } redisServer)
                    {
                        options.Clustering = ClusterMembership.Redis;
                        options.Redis = redisServer;
                    }
                    else
                    {
                        options.Gateways = [.. cluster.Gateways.Select(e => e.ToString())];
                    }

                    options.ClusterId = cluster.ClusterId;
                    options.ServiceId = cluster.ServiceId;
                },
                log,
                cancellationToken);
            var topology = await WaitForTopologyAsync(
                connection.Client,
                siloCount,
                t => t.Silos.Length == siloCount && t.TotalSlots == cluster.TotalCores,
                $"{siloCount} silos with {cluster.TotalCores} worker slots",
                cancellationToken);
            var owned = connection;
            return new ClusterSession(RunnerMode.Silos, connection.Client, topology, async () =>
            {
                // The client leaves first: silos going away under a connected client make it log reconnection attempts.
                try
                {
                    await owned.DisposeAsync();
                }
                finally
                {
                    await cluster.DisposeAsync();
                }
            });
        }
        catch
        {
            try
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
            finally
            {
                await cluster.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// Joins the running cluster <paramref name="clusterId"/> through <paramref name="gateways"/>;
    /// <paramref name="configure"/> adds client settings (TLS); <paramref name="log"/> gets the client's warnings.
    /// </summary>
    public static Task<ClusterSession> ConnectAsync(
        IReadOnlyList<IPEndPoint> gateways, string clusterId, Action<GrainPoolClientOptions> configure, ILoggerProvider? log, CancellationToken cancellationToken) =>
        JoinAsync(
            $"{string.Join(',', gateways)} (cluster id '{clusterId}'{TlsNote(configure)})",
            token => GrainPoolConnection.ConnectAsync(
                options =>
                {
                    options.Gateways = [.. gateways.Select(e => e.ToString())];
                    options.ClusterId = clusterId;
                    configure(options);
                },
                log,
                token),
            cancellationToken);

    /// <summary>
    /// Joins the running cluster <paramref name="clusterId"/> whose membership is in the Redis server <paramref name="redis"/>;
    /// <paramref name="configure"/> adds client settings (TLS); <paramref name="log"/> gets the client's warnings.
    /// </summary>
    public static Task<ClusterSession> ConnectThroughRedisAsync(
        string redis, string clusterId, Action<GrainPoolClientOptions> configure, ILoggerProvider? log, CancellationToken cancellationToken) =>
        JoinAsync(
            $"redis {ClusterMembership.Redacted(redis)} (cluster id '{clusterId}'{TlsNote(configure)})",
            token => GrainPoolConnection.ConnectAsync(
                options =>
                {
                    options.Clustering = ClusterMembership.Redis;
                    options.Redis = redis;
                    options.ClusterId = clusterId;
                    configure(options);
                },
                log,
                token),
            cancellationToken);

    // A TLS handshake that fails looks to the client like a gateway that does not answer; the error line says TLS was on.
    private static string TlsNote(Action<GrainPoolClientOptions> configure)
    {
        var options = new GrainPoolClientOptions();
        configure(options);
        return options.TlsCertificate is { } certificate ? $", TLS with certificate '{certificate}' and trust '{options.TlsTrust}'" : "";
    }

    private static async Task<ClusterSession> JoinAsync(
        string where, Func<CancellationToken, Task<GrainPoolConnection>> connect, CancellationToken cancellationToken)
    {
        GrainPoolConnection connection;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(ConnectDeadline);
            try
            {
                connection = await connect(deadline.Token);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliFailureException($"could not connect to the cluster at {where} within {ConnectDeadline.TotalSeconds:0} s", ex);
            }
            catch (OptionsValidationException ex)
            {
                // The client's settings from the environment (GrainPool__...) are wrong: the user's input, not the cluster.
                throw new UsageException($"invalid configuration: {ex.Message}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new CliFailureException($"could not connect to the cluster at {where}: {ex.Message}", ex);
            }
        }

        try
        {
            var topology = await WaitForTopologyAsync(connection.Client, 2, t => t.TotalSlots > 0, $"a silo with worker slots at {where}", cancellationToken);
            return new ClusterSession(RunnerMode.Remote, connection.Client, topology, connection.DisposeAsync);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Leaves the cluster: stops what this session started, once.</summary>
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _stopped, 1) == 0 ? _stop() : ValueTask.CompletedTask;

    /// <summary>
    /// Waits until the cluster's topology is complete as seen through several gateways. A worker slot is placed by the
    /// silo that receives its first call, from that silo's own view of the cluster; a view still missing a silo that
    /// just joined would put every slot on the silos it knows. The client sends each grain's calls through one gateway
    /// picked by the grain's id, so the topology is read from several cluster-info grain ids (it is a stateless worker
    /// activated on the receiving silo) to sample the views of several gateways.
    /// </summary>
    private static async Task<ClusterTopology> WaitForTopologyAsync(
        GrainPoolClient client, int gateways, Func<ClusterTopology, bool> isComplete, string expected, CancellationToken cancellationToken)
    {
        var probes = Math.Max(1, gateways * 4);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var views = await Task.WhenAll(Enumerable.Range(0, probes).Select(k => ReadAsync(client.Grains.GetGrain<IClusterInfoGrain>(k))));
            // Every view that came back is complete, and every gateway answered, or those that did not have failed for
            // a while (a crashed silo's gateway, which the client stops using once it has failed).
            var answered = views.Where(v => v.Topology is not null).Select(v => v.Topology!).ToArray();
            if (answered.Length > 0 && answered.All(isComplete) && (answered.Length == views.Length || clock.Elapsed > GatewayFailurePatience))
            {
                return answered[0];
            }

            if (clock.Elapsed > TopologyDeadline)
            {
                var seen = string.Join(", ", views.Select(v => v.Topology is { } t ? $"{t.Silos.Length} silos/{t.TotalSlots} slots" : v.Error).Distinct());
                throw new CliFailureException($"the cluster did not show {expected} within {TopologyDeadline.TotalSeconds:0} s (it showed {seen})");
            }

            await Task.Delay(TopologyPollInterval, cancellationToken);
        }

        // A gateway that died a moment ago (a silo that crashed, still listed until membership declares it dead) fails
        // its probe or holds it: that view counts as incomplete, and the next round asks again.
        static async Task<(ClusterTopology? Topology, string Error)> ReadAsync(IClusterInfoGrain info)
        {
            try
            {
                return (await GrainCall.WithinAsync(info.GetTopologyAsync, TopologyProbeTimeout), "");
            }
            catch (Exception ex) when (ChunkDispatcher.IsTransient(ex))
            {
                return (null, $"{ex.GetType().Name} from a gateway");
            }
        }
    }
}

/// <summary>A failure whose message is already the whole error line for users (no exception type in front).</summary>
internal sealed class CliFailureException(string message, Exception? inner = null) : Exception(message, inner);
