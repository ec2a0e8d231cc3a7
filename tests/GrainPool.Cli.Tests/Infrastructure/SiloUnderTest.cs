using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// One <c>grainpool silo</c> process on free ports with localhost clustering, as a user starts it in a terminal, whose
/// log (standard error) is read as it comes, so a test can wait for a log line as for an event. Disposing kills it if it
/// is still running.
/// </summary>
internal sealed class SiloUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<string> _log = new();
    private readonly SemaphoreSlim _logged = new(0);
    private readonly Task _reading;
    private string? _ready;

    private SiloUnderTest(IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var ports = FreeTcpPorts.Pick(2);
        SiloPort = ports[0];
        GatewayPort = ports[1];
        Process = CliProcess.Start(environment, ["silo", "--silo-port", Text(SiloPort), "--gateway-port", Text(GatewayPort), "--http-port", "0", "--cores", "1", .. args]);
        _reading = ReadLogAsync();
    }

    public Process Process { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    /// <summary>The gateway as <c>--cluster</c> takes it.</summary>
    public string Gateway => "127.0.0.1:" + Text(GatewayPort);

    /// <summary>The HTTP endpoint from the ready line (after <see cref="ReadyAsync"/>).</summary>
    public Uri Http => new((_ready ?? throw new InvalidOperationException("not ready yet")).Split(' ').Single(part => part.StartsWith("http=", StringComparison.Ordinal))["http=".Length..]);

    /// <summary>Whether the ready line has been printed (read so far).</summary>
    public bool IsReady => _ready is not null;

    /// <summary>The log lines read so far.</summary>
    public IReadOnlyList<string> Log => [.. _log];

    /// <summary>Starts <c>grainpool silo</c> with these arguments (after the ports and one core) and environment variables.</summary>
    public static SiloUnderTest Start(IReadOnlyDictionary<string, string> environment, params string[] args) => new(environment, args);

    /// <summary>Starts <c>grainpool silo</c> with these arguments.</summary>
    public static SiloUnderTest Start(params string[] args) => new(new Dictionary<string, string>(), args);

    /// <summary>Waits for the ready line (standard output) and returns it.</summary>
    public async Task<string> ReadyAsync()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (await Process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("grainpool-silo ready ", StringComparison.Ordinal))
            {
                return _ready = line;
            }
        }

        await Process.WaitForExitAsync(deadline.Token);
        Assert.Fail($"The silo ended (exit {Process.ExitCode}) without a ready line. Its log:\n{string.Join('\n', _log)}");
        return string.Empty;
    }

    /// <summary>Waits until a log line contains <paramref name="text"/>, and returns it.</summary>
    public async Task<string> LogLineAsync(string text)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_log.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } found)
            {
                return found;
            }

            var left = Deadline - clock.Elapsed;
            if (left <= TimeSpan.Zero || _reading.IsCompleted)
            {
                Assert.Fail($"The silo logged no line with '{text}' {(_reading.IsCompleted ? "before its log ended" : $"within {Deadline.TotalSeconds:0} s")}. Its log:\n{string.Join('\n', _log)}");
            }

            await _logged.WaitAsync(left);
        }
    }

    /// <summary>This silo's /healthz.</summary>
    public async Task<SiloHealthReport> HealthAsync()
    {
        using var http = new HttpClient();
        return await http.GetFromJsonAsync<SiloHealthReport>(new Uri(Http, GrainPoolSiloHostingExtensions.HealthPath))
            ?? throw new InvalidOperationException("empty /healthz");
    }

    /// <summary>Waits until this silo's /healthz shows <paramref name="silos"/> active silos.</summary>
    public async Task WaitForClusterOfAsync(int silos)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var health = await HealthAsync();
            if (health.IsReady && health.ClusterSilos == silos && health.ClusterSlots == silos)
            {
                return;
            }

            if (clock.Elapsed > Deadline)
            {
                Assert.Fail($"{health.Name} did not see {silos} silos within {Deadline.TotalSeconds:0} s: {health.Status}, {health.ClusterSilos} silos, {health.ClusterSlots} slots");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        await _reading;
        Process.Dispose();
        _logged.Dispose();
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task ReadLogAsync()
    {
        while (await Process.StandardError.ReadLineAsync() is { } line)
        {
            _log.Enqueue(line);
            _logged.Release();
        }

        _logged.Release();
    }
}
