using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// <c>grainpool silo --clustering redis</c> with one core on its own loopback address and free ports, as a user runs
/// it in a terminal of a machine of its own. Disposing kills it if it is still running.
/// </summary>
public sealed class RedisSilo : IAsyncDisposable
{
    private static readonly TimeSpan AgreementDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);
    private readonly Task<string> _log;
    private string? _ready;

    private RedisSilo(RedisServer redis, string clusterId, string address, string[] extra)
    {
        Address = address;
        Redis = redis.Endpoint;
        var cores = Array.IndexOf(extra, "--cores");
        Cores = cores >= 0 ? int.Parse(extra[cores + 1], CultureInfo.InvariantCulture) : 1;
        ClusterId = clusterId;
        var ports = FreeTcpPorts.Pick(2);
        SiloPort = ports[0];
        GatewayPort = ports[1];
        string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
        Process = CliProcess.Start(
            [
                "silo", "--clustering", "redis", "--redis", redis.Endpoint, "--cluster-id", clusterId, "--listen-address", address,
                "--silo-port", Text(SiloPort), "--gateway-port", Text(ports[1]), "--http-port", "0",
                "--name", "silo-" + address, "--dashboard", "off", .. extra.Contains("--cores") ? extra : ["--cores", "1", .. extra],
            ]);
        _log = Process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    public string Address { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The cores (worker slots) it offers: 1 unless <c>--cores</c> was given.</summary>
    public int Cores { get; }

    /// <summary>The Redis server of its membership (<c>--redis</c>).</summary>
    public string Redis { get; }

    /// <summary>Its cluster id.</summary>
    public string ClusterId { get; }

    public string ReadyLine => _ready ?? throw new InvalidOperationException("not ready yet");

    /// <summary>The HTTP endpoint from the ready line.</summary>
    public Uri Http => new(ReadyLine.Split(' ').Single(part => part.StartsWith("http=", StringComparison.Ordinal))["http=".Length..]);

    public static RedisSilo Start(RedisServer redis, string clusterId, string address, params string[] extra) => new(redis, clusterId, address, extra);

    /// <summary>Starts silos on 127.0.0.2, 127.0.0.3, ... at once and waits until each sees all of them.</summary>
    public static async Task<RedisSilo[]> StartManyAsync(RedisServer redis, string clusterId, int count, params string[] extra)
    {
        var silos = Enumerable.Range(2, count).Select(n => Start(redis, clusterId, "127.0.0." + n.ToString(CultureInfo.InvariantCulture), extra)).ToArray();
        await Task.WhenAll(silos.Select(s => s.ReadyAsync()));
        await WaitUntilAllSeeAsync(silos);
        return silos;
    }

    /// <summary>
    /// Waits, on each silo's /healthz, until every one of <paramref name="silos"/> sees exactly those silos with all their
    /// worker slots (a silo counts another's cores once it has its metadata, fetched after that one joins; the ready line is
    /// earlier; a silo that died counts until membership declares it dead).
    /// </summary>
    public static async Task WaitUntilAllSeeAsync(IReadOnlyList<RedisSilo> silos)
    {
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var views = await Task.WhenAll(silos.Select(s => http.GetFromJsonAsync<SiloHealthReport>(new Uri(s.Http, GrainPoolSiloHostingExtensions.HealthPath))));
            if (views.All(v => v is { IsReady: true } && v.ClusterSilos == silos.Count && v.ClusterSlots == silos.Sum(s => s.Cores)))
            {
                return;
            }

            if (clock.Elapsed > AgreementDeadline)
            {
                Assert.Fail($"the silos did not all see {silos.Count} silos within {AgreementDeadline.TotalSeconds:0} s: " +
                    string.Join("; ", views.Select(v => $"{v?.Name} {v?.Status} {v?.ClusterSilos} silos {v?.ClusterSlots} slots")));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Waits for the ready line.</summary>
    public async Task ReadyAsync()
    {
        using var deadline = new CancellationTokenSource(LineTimeout);
        while (await Process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("grainpool-silo ready ", StringComparison.Ordinal))
            {
                _ready = line;
                return;
            }
        }

        Assert.Fail($"The silo on {Address} ended without a ready line. Its log:\n{(Process.HasExited ? await _log : "(running)")}");
    }

    /// <summary>The chunks of kernels whose id contains <paramref name="kernel"/> this silo has completed, from its /metrics.</summary>
    public Task<double> ChunksCompletedAsync(string kernel = "prime-count/sieve") =>
        MetricSumAsync(l => l.StartsWith("grainpool_chunks_completed_total{", StringComparison.Ordinal) && l.Contains(kernel, StringComparison.Ordinal));

    /// <summary>
    /// The silo's managed heap as its last garbage collection left it (every generation, in MB), the memory the GC had
    /// committed then (MB), and its full (gen 2) collections so far, from the .NET runtime's meters on its /metrics: what
    /// is alive and what the GC holds, beside the RSS.
    /// </summary>
    public async Task<(double HeapMb, double CommittedMb, double FullCollections)> GcAsync() => (
        await MetricSumAsync(l => l.StartsWith("dotnet_gc_last_collection_heap_size_bytes{", StringComparison.Ordinal)) / (1024 * 1024),
        await MetricSumAsync(l => l.StartsWith("dotnet_gc_last_collection_memory_committed_size_bytes{", StringComparison.Ordinal)) / (1024 * 1024),
        await MetricSumAsync(l => l.StartsWith("dotnet_gc_collections_total{", StringComparison.Ordinal) && l.Contains("gc_heap_generation=\"gen2\"", StringComparison.Ordinal)));

    /// <summary>The methods the silo's JIT has compiled so far (every tier counts), from the runtime's meters on its /metrics.</summary>
    public Task<double> JitCompiledMethodsAsync() =>
        MetricSumAsync(l => l.StartsWith("dotnet_jit_compiled_methods_total{", StringComparison.Ordinal));

    // The sum of the values of the /metrics lines that match.
    private async Task<double> MetricSumAsync(Func<string, bool> line)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(Http, "/metrics"));
        return metrics.Split('\n').Where(line).Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary><c>kill -9</c>: the process ends at once, its connections reset, nothing is handed back.</summary>
    public async Task KillAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGSTOP: the process stops running but its connections stay open and nothing resets them, as when a host loses
    /// power or its network: calls to it and probes of it get no answer and no error.
    /// </summary>
    public Task FreezeAsync() => CliProcess.SignalAsync(Process.Id, "STOP");

    /// <summary>SIGCONT: a frozen silo runs again, as a host whose network comes back.</summary>
    public Task ThawAsync() => CliProcess.SignalAsync(Process.Id, "CONT");

    /// <summary>SIGTERM, as a service manager or Kubernetes stops a silo: a graceful stop.</summary>
    public Task TerminateAsync() => CliProcess.SignalAsync(Process.Id, "TERM");

    /// <summary>Its log (standard error) once it has exited.</summary>
    public Task<string> LogAsync() => _log;

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        await _log;
        Process.Dispose();
    }
}
