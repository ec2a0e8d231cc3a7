using System.Globalization;
using System.Net;
using System.Runtime.ExceptionServices;

namespace GrainPool.Hosting.Launching;

/// <summary>
/// A development cluster of GrainPool silo processes on loopback: free ports, all silos started at once, each pinned to
/// its share of the CPUs. With localhost clustering stopping (or disposing) stops the secondaries first, since they
/// need the primary, which hosts the membership table, to leave the cluster cleanly; with Redis membership
/// (<see cref="LocalSiloClusterOptions.Redis"/>) there is no primary, and every silo has a loopback address of its own.
/// </summary>
public sealed class LocalSiloCluster : IAsyncDisposable
{
    private readonly List<LocalSiloProcess> _silos;
    private readonly Lock _gate = new();
    private int _nextIndex;

    private LocalSiloCluster(LocalSiloProcess[] silos, string clusterId, string serviceId, string? redis)
    {
        _silos = [.. silos];
        _nextIndex = silos.Length;
        ClusterId = clusterId;
        ServiceId = serviceId;
        Redis = redis;
    }

    /// <summary>The silos, primary (localhost clustering) first.</summary>
    public IReadOnlyList<LocalSiloProcess> Silos
    {
        get
        {
            lock (_gate)
            {
                return [.. _silos];
            }
        }
    }

    /// <summary>The primary silo with localhost clustering; with Redis membership, which has none, the first silo.</summary>
    public LocalSiloProcess Primary => _silos[0];

    /// <summary>Gateway ports, for <c>UseLocalhostClustering(gatewayPorts, serviceId, clusterId)</c> on a client.</summary>
    public int[] GatewayPorts => [.. Silos.Select(s => s.GatewayPort)];

    /// <summary>The gateways, each on its silo's address.</summary>
    public IPEndPoint[] Gateways => [.. Silos.Select(s => new IPEndPoint(IPAddress.Parse(s.ListenAddress), s.GatewayPort))];

    /// <summary>The Redis server of the membership table, or null with localhost clustering.</summary>
    public string? Redis { get; }

    /// <summary>Orleans cluster id.</summary>
    public string ClusterId { get; }

    /// <summary>Orleans service id.</summary>
    public string ServiceId { get; }

    /// <summary>Sum of the silos' advertised cores: the number of worker slots.</summary>
    public int TotalCores => Silos.Sum(s => s.Cores);

    /// <summary>
    /// Starts one more silo in the running cluster (the next name and, with Redis, the next loopback address; free
    /// ports; the first silo's cores, unpinned) and returns once every silo sees it with its cores.
    /// </summary>
    public async Task<LocalSiloProcess> AddSiloAsync(CancellationToken cancellationToken = default)
    {
        int index;
        lock (_gate)
        {
            index = _nextIndex++;
        }

        var ports = FreeTcpPorts.Pick(2);
        var start = Primary.StartInfo with
        {
            Name = "silo-" + index.ToString(CultureInfo.InvariantCulture),
            SiloPort = ports[0],
            GatewayPort = ports[1],
            PrimarySiloPort = Redis is null ? Primary.SiloPort : null,
            ListenAddress = Redis is null ? "127.0.0.1" : RedisSiloAddress(index).ToString(),
            CpuSet = null,
            JoinLockFile = null,
        };
        var silo = await LocalSiloProcess.StartAsync(start, cancellationToken);
        lock (_gate)
        {
            _silos.Add(silo);
        }

        await WaitForAgreementAsync(Silos, start.ReadyTimeout, cancellationToken);
        return silo;
    }

    /// <summary>
    /// Stops the silo added last (never the first one, the primary with localhost clustering) with SIGTERM, a graceful
    /// stop in which it hands its chunks back; returns it, or null when only the first silo is left.
    /// </summary>
    public async Task<LocalSiloProcess?> RemoveSiloAsync()
    {
        LocalSiloProcess silo;
        lock (_gate)
        {
            if (_silos.Count <= 1)
            {
                return null;
            }

            silo = _silos[^1];
            _silos.RemoveAt(_silos.Count - 1);
        }

        await silo.StopAsync();
        await silo.DisposeAsync();
        return silo;
    }

    /// <summary>
    /// Starts the cluster and returns once every silo has reported ready and every silo sees all of them with their
    /// cores, so the first job already gets one worker per advertised core.
    /// </summary>
    public static async Task<LocalSiloCluster> StartAsync(LocalSiloClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalSiloClusterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SiloCount, 1, nameof(options.SiloCount));
        if (options.CoresPerSilo is { } fixedCores)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(fixedCores, 1, nameof(options.CoresPerSilo));
        }

        var clusterId = options.ClusterId ?? "grainpool-" + Guid.NewGuid().ToString("N")[..8];
        var ports = FreeTcpPorts.Pick(2 * options.SiloCount);
        var cpuSets = options.PinToCpus && CpuAffinity.IsSupported ? PlanCpuSets(options.SiloCount, options.Cpus ?? CpuAffinity.AvailableCpus()) : null;
        var evenShare = Math.Max(1, Environment.ProcessorCount / options.SiloCount);

        // The silos take turns at the membership table (GrainPoolSiloOptions.JoinLockFile); the file is needed only
        // while they start.
        var joinLock = options.SiloCount > 1 ? Path.Combine(Path.GetTempPath(), "grainpool-join-" + clusterId + ".lock") : null;
        var starts = Enumerable.Range(0, options.SiloCount).Select(i => new LocalSiloStartInfo
        {
            Name = "silo-" + i.ToString(CultureInfo.InvariantCulture),
            SiloPort = ports[2 * i],
            GatewayPort = ports[(2 * i) + 1],
            PrimarySiloPort = options.Redis is null ? ports[0] : null,
            Redis = options.Redis,
            ListenAddress = options.Redis is null ? "127.0.0.1" : RedisSiloAddress(i).ToString(),
            Cores = options.CoresPerSilo ?? cpuSets?[i].Count ?? evenShare,
            ClusterId = clusterId,
            ServiceId = options.ServiceId,
            CpuSet = cpuSets?[i],
            JoinLockFile = joinLock,
            SiloAssemblyPath = options.SiloAssemblyPath,
            ReadyTimeout = options.ReadyTimeout,
            AdditionalArguments = options.AdditionalArguments,
        }).ToArray();

        // All silos start at once: most of a silo's start-up is its own (runtime, host, Orleans services), and a
        // secondary that is ready before the primary listens keeps retrying the primary's membership table and joins
        // when it answers. One after the other, N silos took N times one silo's start-up. If one fails, the others are
        // cancelled (killed) rather than left to wait for a primary that will not come.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var starting = starts.Select(s => StartOrCancelOthersAsync(s, failed)).ToArray();
        var started = new List<LocalSiloProcess>(options.SiloCount);
        try
        {
            var all = Task.WhenAll(starting);
            try
            {
                await all;
            }
            catch when (!cancellationToken.IsCancellationRequested
                && all.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) is { } cause)
            {
                // Report the silo that failed, not one that was cancelled because of it.
                ExceptionDispatchInfo.Throw(cause);
            }
            finally
            {
                started.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            await WaitForAgreementAsync(started, options.ReadyTimeout, cancellationToken);
            return new LocalSiloCluster([.. started], clusterId, options.ServiceId, options.Redis);
        }
        catch
        {
            await StopAsync(started);
            foreach (var silo in started)
            {
                await silo.DisposeAsync();
            }

            throw;
        }
        finally
        {
            if (joinLock is not null)
            {
                File.Delete(joinLock);
            }
        }
    }

    /// <summary>
    /// The loopback address of silo <paramref name="index"/> (from 0) of a cluster on Redis membership: 127.0.0.2,
    /// 127.0.0.3, ..., so that every silo advertises an address of its own, as on separate machines, and code that
    /// assumes one host fails here too.
    /// </summary>
    public static IPAddress RedisSiloAddress(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 253);
        return new IPAddress([127, 0, 0, (byte)(index + 2)]);
    }

    private static async Task<LocalSiloProcess> StartOrCancelOthersAsync(LocalSiloStartInfo start, CancellationTokenSource failed)
    {
        try
        {
            return await LocalSiloProcess.StartAsync(start, failed.Token);
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    /// <summary>
    /// Divides <paramref name="cpus"/> between <paramref name="siloCount"/> silos: contiguous blocks whose sizes differ
    /// by at most one while there are at least as many CPUs as silos (2 silos on CPUs 0-1: {0} and {1}; 3 silos on
    /// 0-7: {0,1,2}, {3,4,5}, {6,7}), one CPU each round-robin when there are more silos than CPUs.
    /// </summary>
    public static IReadOnlyList<int>[] PlanCpuSets(int siloCount, IReadOnlyList<int> cpus)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(siloCount, 1);
        ArgumentNullException.ThrowIfNull(cpus);
        if (cpus.Count == 0)
        {
            throw new ArgumentException("There are no CPUs to divide.", nameof(cpus));
        }

        if (siloCount >= cpus.Count)
        {
            return [.. Enumerable.Range(0, siloCount).Select(i => (IReadOnlyList<int>)[cpus[i % cpus.Count]])];
        }

        var sets = new IReadOnlyList<int>[siloCount];
        var next = 0;
        for (var i = 0; i < siloCount; i++)
        {
            var size = (cpus.Count / siloCount) + (i < cpus.Count % siloCount ? 1 : 0);
            sets[i] = [.. cpus.Skip(next).Take(size)];
            next += size;
        }

        return sets;
    }

    /// <summary>
    /// Stops the secondaries (together), then the primary (with Redis membership: all together); each gets SIGTERM and
    /// is killed only after a deadline.
    /// </summary>
    public Task StopAsync() => StopAsync(Silos);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }
    }

    // A silo learns another's cores from its metadata, fetched just after that one joins; until then its placement
    // gives the newcomer no slots. There is no event for it across processes, so ask each /healthz until they agree.
    private static async Task WaitForAgreementAsync(IReadOnlyList<LocalSiloProcess> silos, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var slots = silos.Sum(s => s.Cores);
        using var http = new HttpClient();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var views = Array.Empty<SiloHealthReport?>();
        try
        {
            while (true)
            {
                views = await Task.WhenAll(silos.Select(async s =>
                {
                    using var response = await http.GetAsync(new Uri(s.HttpUrl, "/healthz"), deadline.Token);
                    return await response.Content.ReadFromJsonAsync<SiloHealthReport>(deadline.Token);
                }));
                if (views.All(v => v is { IsReady: true } && v.ClusterSilos == silos.Count && v.ClusterSlots == slots))
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var seen = string.Join("; ", views.Select(v => v is null ? "?" : $"{v.Name} {v.Status}, {v.ClusterSilos} silos, {v.ClusterSlots} slots"));
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The silos did not all see {silos.Count} silos with {slots} slots within {timeout.TotalSeconds:0.#} s; they see: {seen}"));
        }
    }

    private static async Task StopAsync(IReadOnlyList<LocalSiloProcess> silos)
    {
        await Task.WhenAll(silos.Where(s => !s.IsPrimary).Select(s => s.StopAsync()));
        await Task.WhenAll(silos.Where(s => s.IsPrimary).Select(s => s.StopAsync()));
    }
}
