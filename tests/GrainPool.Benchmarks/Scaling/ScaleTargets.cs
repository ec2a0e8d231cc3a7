using System.Diagnostics;
using System.Globalization;
using System.Net;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;

namespace GrainPool.Benchmarks.Scaling;

/// <summary>Where a configuration's jobs run.</summary>
internal enum ScaleKind
{
    /// <summary><see cref="InProcessRunner"/> threads in this process.</summary>
    InProcess,

    /// <summary>Separate silo processes on loopback, pinned to CPUs, reached through <see cref="GrainPoolConnection"/>.</summary>
    Cluster,

    /// <summary>An <see cref="EmbeddedSilo"/> in this process, called through its co-hosted client (no network).</summary>
    Embedded,
}

/// <summary>One configuration of the comparison: in-process threads, or silos times cores per silo.</summary>
internal sealed record ScaleConfiguration(ScaleKind Kind, int Cores, int Silos)
{
    public string Name => Kind switch
    {
        ScaleKind.InProcess => $"in-process, {Plural(Cores, "thread")}",
        ScaleKind.Cluster => $"cluster {Plural(Silos, "silo")} x {Plural(Cores / Silos, "core")}",
        _ => $"embedded silo x {Plural(Cores, "core")}",
    };

    /// <summary>Short name for <c>--only</c>: in-process-1, in-process-n, cluster-1x1, cluster-1xn, cluster-nx1, embedded.</summary>
    public string Key => Kind switch
    {
        ScaleKind.InProcess => Cores == 1 ? "in-process-1" : "in-process-n",
        ScaleKind.Cluster => Cores == 1 ? "cluster-1x1" : Silos == 1 ? "cluster-1xn" : "cluster-nx1",
        _ => "embedded",
    };

    /// <summary>The configurations for a machine of <paramref name="cores"/> cores; duplicates collapse when it has one.</summary>
    public static IReadOnlyList<ScaleConfiguration> For(int cores, bool embedded)
    {
        var all = new List<ScaleConfiguration>
        {
            new(ScaleKind.InProcess, 1, 0),
            new(ScaleKind.InProcess, cores, 0),
            new(ScaleKind.Cluster, 1, 1),
            new(ScaleKind.Cluster, cores, 1),
            new(ScaleKind.Cluster, cores, cores),
        };
        if (embedded)
        {
            all.Add(new ScaleConfiguration(ScaleKind.Embedded, cores, 1));
        }

        return [.. all.Distinct()];
    }

    private static string Plural(int count, string noun) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? "" : "s");
}

/// <summary>A job's value with its wall time and the workers and silos that ran it (0 silos: in-process).</summary>
internal readonly record struct Timed<T>(T Value, double Seconds, int Workers, int Silos);

/// <summary>Runs the three jobs of the scale command on one configuration.</summary>
internal interface IScaleTarget : IAsyncDisposable
{
    ScaleConfiguration Configuration { get; }

    /// <summary>How it is laid out (processes, CPUs), for the output.</summary>
    string Layout { get; }

    Task<Timed<ulong>> CountTrialAsync(ulong first, ulong last, ulong? chunkSize);

    /// <summary>The exact sum as its 128-bit fixed-point value (<see cref="SqrtSumPartial.Fixed"/>), compared bit for bit.</summary>
    Task<Timed<UInt128>> SqrtSumAsync(ulong first, ulong last, ulong? chunkSize);

    Task<Timed<bool[]>> MapIsPrimeTrialAsync(long[] items, int? chunkSize);
}

/// <summary>The baseline: <see cref="InProcessRunner"/> on this process's threads, nothing crossing a process boundary.</summary>
internal sealed class InProcessTarget(ScaleConfiguration configuration) : IScaleTarget
{
    private static readonly PrimeCountKernel TrialCount = new(PrimalityMethod.Trial);
    private static readonly SqrtSumKernel SqrtSumKernel = new();
    private static readonly IsPrimeKernel IsPrimeTrial = new(PrimalityMethod.Trial);

    private readonly InProcessRunner _runner = new(configuration.Cores);

    public ScaleConfiguration Configuration { get; } = configuration;

    public string Layout => $"{nameof(InProcessRunner)}({Configuration.Cores}) in this process (pid {Environment.ProcessId}), unpinned";

    public Task<Timed<ulong>> CountTrialAsync(ulong first, ulong last, ulong? chunkSize) =>
        Task.FromResult(Time(() => _runner.RunRange(TrialCount, first, last, chunkSize)));

    public Task<Timed<UInt128>> SqrtSumAsync(ulong first, ulong last, ulong? chunkSize) =>
        Task.FromResult(Time(() => _runner.RunRange(SqrtSumKernel, first, last, chunkSize).Fixed));

    public Task<Timed<bool[]>> MapIsPrimeTrialAsync(long[] items, int? chunkSize) => Task.FromResult(Time(() =>
    {
        var results = new bool[items.Length];
        _runner.RunMap(IsPrimeTrial, items, results, chunkSize);
        return results;
    }));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Timed<T> Time<T>(Func<T> run)
    {
        var started = Stopwatch.GetTimestamp();
        var value = run();
        return new Timed<T>(value, Stopwatch.GetElapsedTime(started).TotalSeconds, _runner.Workers, 0);
    }
}

/// <summary>
/// A GrainPool cluster driven through <see cref="GrainPoolClient"/>: silo processes on loopback (connected with
/// <see cref="GrainPoolConnection"/>) or an embedded silo. Disposing disconnects the client, then stops the silos.
/// </summary>
internal sealed class ClusterTarget : IScaleTarget
{
    private static readonly TimeSpan TopologyTimeout = TimeSpan.FromSeconds(30);

    private readonly GrainPoolClient _client;
    private readonly GrainPoolConnection? _connection;
    private readonly IAsyncDisposable _silos;
    private readonly int? _inFlightPerWorker;

    private ClusterTarget(ScaleConfiguration configuration, GrainPoolClient client, GrainPoolConnection? connection, IAsyncDisposable silos, string layout, int? inFlightPerWorker,
        IReadOnlyList<LocalSiloProcess>? processes = null)
    {
        Configuration = configuration;
        SiloProcesses = processes ?? [];
        _client = client;
        _connection = connection;
        _silos = silos;
        Layout = layout;
        _inFlightPerWorker = inFlightPerWorker;
    }

    public ScaleConfiguration Configuration { get; }

    public string Layout { get; }

    /// <summary>The client the jobs go through (the cancel command drives its own jobs with it).</summary>
    public GrainPoolClient Client => _client;

    /// <summary>The silo processes (their <c>/metrics</c> addresses); none for an embedded silo.</summary>
    public IReadOnlyList<LocalSiloProcess> SiloProcesses { get; }

    /// <summary>
    /// Starts the silos of <paramref name="configuration"/>, connects, and waits until the cluster reports all of its
    /// silos and worker slots. One silo of one core is a single <see cref="LocalSiloProcess"/> pinned to the first CPU:
    /// <see cref="LocalSiloCluster"/> would give a lone silo every CPU.
    /// </summary>
    public static async Task<ClusterTarget> StartAsync(ScaleConfiguration configuration, int? inFlightPerWorker)
    {
        if (configuration.Kind == ScaleKind.Embedded)
        {
            var embedded = await EmbeddedSilo.StartAsync(configuration.Cores);
            try
            {
                var client = new GrainPoolClient(embedded.GrainFactory);
                await WaitForTopologyAsync(client, configuration);
                return new ClusterTarget(configuration, client, null, embedded,
                    $"{nameof(EmbeddedSilo)} in this process (pid {Environment.ProcessId}), {configuration.Cores} worker slots, co-hosted client, unpinned",
                    inFlightPerWorker);
            }
            catch
            {
                await embedded.DisposeAsync();
                throw;
            }
        }

        IAsyncDisposable silos;
        IReadOnlyList<LocalSiloProcess> processes;
        string clusterId;
        string serviceId;
        if (configuration is { Silos: 1, Cores: 1 })
        {
            var ports = FreeTcpPorts.Pick(2);
            var silo = await LocalSiloProcess.StartAsync(new LocalSiloStartInfo
            {
                Name = "silo-0",
                SiloPort = ports[0],
                GatewayPort = ports[1],
                PrimarySiloPort = ports[0],
                Cores = 1,
                ClusterId = "grainpool-scale-" + Guid.NewGuid().ToString("N")[..8],
                CpuSet = [FirstCpu()],
            });
            (silos, processes, clusterId, serviceId) = (silo, [silo], silo.StartInfo.ClusterId, silo.StartInfo.ServiceId);
        }
        else
        {
            // Pinned: CPUs divided between the silos, each advertising the size of its CPU set.
            var cluster = await LocalSiloCluster.StartAsync(new LocalSiloClusterOptions { SiloCount = configuration.Silos, PinToCpus = true });
            (silos, processes, clusterId, serviceId) = (cluster, cluster.Silos, cluster.ClusterId, cluster.ServiceId);
        }

        GrainPoolConnection? connection = null;
        try
        {
            connection = await GrainPoolConnection.ConnectAsync(
                processes.Select(p => new IPEndPoint(IPAddress.Loopback, p.GatewayPort)), clusterId, serviceId);
            await WaitForTopologyAsync(connection.Client, configuration);
            return new ClusterTarget(configuration, connection.Client, connection, silos,
                string.Join("; ", processes.Select(p => p.ToString())), inFlightPerWorker, processes);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            await silos.DisposeAsync();
            throw;
        }
    }

    public async Task<Timed<ulong>> CountTrialAsync(ulong first, ulong last, ulong? chunkSize)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await _client.CountPrimesAsync(first, last, BuiltInKernels.PrimeCountTrial, RangeOptions(chunkSize));
        return new Timed<ulong>(result.Value, Stopwatch.GetElapsedTime(started).TotalSeconds, result.Stats.Workers, result.Stats.Silos);
    }

    public async Task<Timed<UInt128>> SqrtSumAsync(ulong first, ulong last, ulong? chunkSize)
    {
        // The raw fixed-point sum, as SqrtSumAsync gets it before rounding to a double: compared bit for bit.
        var started = Stopwatch.GetTimestamp();
        var result = await _client.RunRangeAsync(BuiltInKernels.SqrtSum, first, last, RangeOptions(chunkSize));
        return new Timed<UInt128>(result.Value.Fixed, Stopwatch.GetElapsedTime(started).TotalSeconds, result.Stats.Workers, result.Stats.Silos);
    }

    public async Task<Timed<bool[]>> MapIsPrimeTrialAsync(long[] items, int? chunkSize)
    {
        var options = _inFlightPerWorker is { } inFlight
            ? new MapOptions { ChunkSize = chunkSize, InFlightPerWorker = inFlight }
            : new MapOptions { ChunkSize = chunkSize };
        var started = Stopwatch.GetTimestamp();
        var result = await _client.MapAsync(BuiltInKernels.IsPrimeTrial, items, options);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (result.Failures.Count > 0)
        {
            throw new InvalidOperationException($"the map reported {result.Failures.Count} failed items, the first: {result.Failures[0]}");
        }

        Console.Error.WriteLine($"    map on the cluster: {seconds:0.000} s wall, {result.Stats.BusySeconds:0.000} s inside the kernel (all workers), {result.Stats.Chunks} chunks");
        return new Timed<bool[]>(result.Results, seconds, result.Stats.Workers, result.Stats.Silos);
    }

    public async ValueTask DisposeAsync()
    {
        // The client first: silos going away under a connected client make it log connection warnings on stdout.
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        await _silos.DisposeAsync();
    }

    private RangeOptions RangeOptions(ulong? chunkSize) => _inFlightPerWorker is { } inFlight
        ? new RangeOptions { ChunkSize = chunkSize, InFlightPerWorker = inFlight }
        : new RangeOptions { ChunkSize = chunkSize };

    // Silo metadata (the advertised cores) reaches the other silos asynchronously after a join: wait until the cluster
    // reports every silo and slot, so that the first job is neither short of workers nor placed on a partial slot map.
    private static async Task WaitForTopologyAsync(GrainPoolClient client, ScaleConfiguration configuration)
    {
        var deadline = Stopwatch.StartNew();
        ClusterTopology? topology = null;
        while (deadline.Elapsed < TopologyTimeout)
        {
            topology = await client.GetTopologyAsync();
            if (topology.Silos.Length == configuration.Silos && topology.TotalSlots == configuration.Cores)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        var seen = topology is null ? "nothing" : string.Join(", ", topology.Silos.Select(s => $"{s.Name}: {s.Cores} cores"));
        throw new TimeoutException($"{configuration.Name}: the cluster did not report {configuration.Silos} silos and {configuration.Cores} slots within {TopologyTimeout.TotalSeconds:0} s (saw {seen})");
    }

    // The first CPU this process may run on (LocalSiloCluster's silo-0 gets the same one).
    private static int FirstCpu()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            var mask = (ulong)Process.GetCurrentProcess().ProcessorAffinity.ToInt64();
            for (var cpu = 0; cpu < 64; cpu++)
            {
                if ((mask & (1UL << cpu)) != 0)
                {
                    return cpu;
                }
            }
        }

        return 0;
    }
}
