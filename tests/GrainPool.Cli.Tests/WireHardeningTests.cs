using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;
using GrainPool.Hosting.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Xunit.Abstractions;

namespace GrainPool.Cli.Tests;

/// <summary>
/// The silo's ports under bad input, against real <c>grainpool silo</c> processes: garbage and half-open connections
/// on the silo and gateway ports, idle connections closed after the handshake time with their file descriptors given
/// back, the per-port connection limit, and oversized, wrong-verb and slow requests on the HTTP port.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class WireHardeningTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(20);

    [LinuxFact]
    public async Task Garbage_and_half_open_connections_on_the_silo_and_gateway_ports_leave_the_silo_serving_exact_results()
    {
        await using var silo = await WireSilo.StartAsync();
        var random = new Random(20261203);
        var held = new List<Socket>();
        try
        {
            foreach (var port in new[] { silo.SiloPort, silo.GatewayPort })
            {
                // Half-open: connected, sends nothing, stays open through the job.
                held.Add(await ConnectAsync(port));

                // Random garbage of a few sizes, and a preamble length that promises a body that never comes.
                foreach (var size in new[] { 1, 3, 17, 1024, 64 * 1024 })
                {
                    var garbage = new byte[size];
                    random.NextBytes(garbage);
                    var socket = await ConnectAsync(port);
                    held.Add(socket);
                    await SendIgnoringResetAsync(socket, garbage);
                }

                var stalled = await ConnectAsync(port);
                held.Add(stalled);
                await stalled.SendAsync(BitConverter.GetBytes(512));
            }

            var json = (await CliProcess.RunAsync("--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "primes", "count", "--to", "1e7", "--json")).Json();

            Assert.Equal(Reference.Pi(10_000_000), json.GetProperty("count").GetUInt64());
            Assert.Equal("remote", json.GetProperty("mode").GetString());
            Assert.False(silo.Process.HasExited, "the silo exited");
            Assert.Equal(HttpStatusCode.OK, await silo.HealthStatusAsync());
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [LinuxFact]
    public async Task Connections_that_send_no_preamble_are_closed_after_the_handshake_time_and_the_descriptors_come_back()
    {
        const int PerPort = 100;
        await using var silo = await WireSilo.StartAsync("--handshake-timeout", "2");
        var before = await silo.SettledDescriptorsAsync();

        var sockets = new List<Socket>();
        try
        {
            var opened = Stopwatch.StartNew();
            foreach (var port in new[] { silo.SiloPort, silo.GatewayPort })
            {
                for (var i = 0; i < PerPort; i++)
                {
                    var socket = await ConnectAsync(port);
                    sockets.Add(socket);

                    // A tenth send the 4-byte length of a preamble and stop there: that is not a delivered preamble.
                    if (i % 10 == 0)
                    {
                        await socket.SendAsync(BitConverter.GetBytes(100));
                    }
                }
            }

            // Accepting takes a moment: the highest count seen before the first can time out.
            var peak = 0;
            while (opened.Elapsed < TimeSpan.FromSeconds(1.5))
            {
                peak = Math.Max(peak, silo.OpenDescriptors());
                await Task.Delay(50);
            }

            var closedAfter = await Task.WhenAll(sockets.Select(s => ClosedByPeerAsync(s, opened)));
            var allClosed = opened.Elapsed;
            Assert.All(closedAfter, t => Assert.NotNull(t));
            Assert.All(closedAfter, t => Assert.True(t >= TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(100), $"closed after {t}, before the 2 s handshake time"));

            var after = await silo.DescriptorsFallingToAsync(before + 20);
            output.WriteLine($"descriptors: {before} before, {peak} with {sockets.Count} idle connections, {after} after; all closed {allClosed.TotalSeconds:0.0} s after the first opened (first close {closedAfter.Min()!.Value.TotalSeconds:0.0} s, last {closedAfter.Max()!.Value.TotalSeconds:0.0} s)");
            Assert.True(peak >= before + (sockets.Count * 9 / 10), $"the silo held {peak} descriptors with {sockets.Count} connections open (before: {before})");
            await silo.MetricReachesAsync(PerPort, "grainpool_connections_closed_total", "port=\"silo\"", "reason=\"handshake\"");
            await silo.MetricReachesAsync(PerPort, "grainpool_connections_closed_total", "port=\"gateway\"", "reason=\"handshake\"");

            var json = (await CliProcess.RunAsync("--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "primes", "count", "--to", "1e7", "--json")).Json();
            Assert.Equal(Reference.Pi(10_000_000), json.GetProperty("count").GetUInt64());
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    // The preamble is recognised for what it is: with a handshake time of 1 s, the silos' connections to each other and
    // the client's to its gateways, all older than that by the job's end, are never cut.
    [LinuxFact]
    public async Task Silos_and_clients_that_deliver_their_preamble_are_not_cut_at_the_handshake_time()
    {
        await using var primary = await WireSilo.StartAsync("--handshake-timeout", "1");
        await using var secondary = await WireSilo.StartInClusterAsync(primary.ClusterId, "--handshake-timeout", "1", "--primary-port", primary.SiloPort.ToString(CultureInfo.InvariantCulture));

        var job = Stopwatch.StartNew();
        var json = (await CliProcess.RunAsync("--cluster", $"{primary.Gateway},{secondary.Gateway}", "--cluster-id", primary.ClusterId, "primes", "count", "--to", "1e9", "--json")).Json();
        output.WriteLine($"pi(1e9) on two silos took {job.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(Reference.Pi(1_000_000_000), json.GetProperty("count").GetUInt64());
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
        // The two silos share one connection, which the secondary opened.
        Assert.Equal(1, await primary.MetricAsync("grainpool_connections_open", "port=\"silo\""));
        foreach (var silo in new[] { primary, secondary })
        {
            Assert.Equal(0, await silo.MetricAsync("grainpool_connections_closed_total"));
        }
    }

    [LinuxFact]
    public async Task A_connection_past_the_limit_is_closed_at_once_and_a_client_joins_once_the_idle_ones_are_gone()
    {
        const int Limit = 20;
        await using var silo = await WireSilo.StartAsync("--max-connections", Limit.ToString(CultureInfo.InvariantCulture), "--handshake-timeout", "8");
        var idle = new List<Socket>();
        try
        {
            var opened = Stopwatch.StartNew();
            for (var i = 0; i < Limit; i++)
            {
                idle.Add(await ConnectAsync(silo.GatewayPort));
            }

            await silo.MetricReachesAsync(Limit, "grainpool_connections_open", "port=\"gateway\"");

            var refused = Stopwatch.StartNew();
            Assert.NotNull(await ConnectAndAwaitCloseAsync(silo.GatewayPort, refused));
            output.WriteLine($"connection {Limit + 1} closed {refused.Elapsed.TotalMilliseconds:0} ms after its connect began; the {Limit} idle ones had been open {opened.Elapsed.TotalSeconds:0.0} s");
            Assert.True(refused.Elapsed < TimeSpan.FromSeconds(4), $"connection {Limit + 1} was closed after {refused.Elapsed}, not at once");
            await silo.MetricReachesAsync(1, "grainpool_connections_closed_total", "port=\"gateway\"", "reason=\"limit\"");
            Assert.Equal(Limit, await silo.MetricAsync("grainpool_connections_open", "port=\"gateway\""));
            await SiloProcesses.UntilAsync(() => silo.Log().Any(l => l.Contains("Refused 1 connection(s) on the gateway port", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(5), "the refusal's warning in the silo's log");

            // The idle ones go at the handshake time; then a real client gets in.
            Assert.All(await Task.WhenAll(idle.Select(s => ClosedByPeerAsync(s, opened))), t => Assert.NotNull(t));
            var json = (await CliProcess.RunAsync("--cluster", silo.Gateway, "--cluster-id", silo.ClusterId, "primes", "count", "--to", "1e7", "--json")).Json();
            Assert.Equal(Reference.Pi(10_000_000), json.GetProperty("count").GetUInt64());
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    // Orleans sends nothing on a quiet connection, so with an idle time set a client's gateway connection between jobs
    // is closed; the client connects again for its next job. (The default, 0, never closes one.)
    [LinuxFact]
    public async Task With_an_idle_time_a_quiet_client_connection_is_closed_and_the_client_connects_again_for_its_next_job()
    {
        await using var silo = await WireSilo.StartAsync("--idle-timeout", "3");
        await using var connection = await GrainPoolConnection.ConnectAsync([new IPEndPoint(IPAddress.Loopback, silo.GatewayPort)], silo.ClusterId, "grainpool");

        var first = await connection.Client.CountPrimesAsync(1, 10_000_000);
        Assert.Equal(Reference.Pi(10_000_000), first.Value);
        var quiet = Stopwatch.StartNew();
        await SiloProcesses.UntilAsync(
            () => silo.MetricAsync("grainpool_connections_closed_total", "port=\"gateway\"", "reason=\"idle\"").GetAwaiter().GetResult() >= 1,
            TimeSpan.FromSeconds(15), "the quiet client connection closed for idleness");
        output.WriteLine($"the client's gateway connection was closed within {quiet.Elapsed.TotalSeconds:0.0} s of its last job (idle time 3 s)");
        Assert.InRange(quiet.Elapsed, TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3 + 4));

        var second = await connection.Client.CountPrimesAsync(1, 10_000_000);
        Assert.Equal(Reference.Pi(10_000_000), second.Value);
    }

    [LinuxFact]
    public async Task The_http_port_refuses_large_headers_and_other_verbs_and_answers_healthz_beside_200_slow_connections()
    {
        const int Slow = 200;
        await using var silo = await WireSilo.StartAsync("--handshake-timeout", "3");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Headers past the limit: 431 (or the connection closed); 64 KB, and just over the silo's own limit, which is
        // under Kestrel's 32 KB default.
        foreach (var size in new[] { 64 * 1024, KestrelWireLimits.MaxRequestHeadersTotalSize + 1024 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo.Http, "/healthz"));
            request.Headers.Add("X-Padding", new string('a', size));
            try
            {
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
            }
            catch (HttpRequestException)
            {
                // Closed before the whole request was sent: refused too.
            }
        }

        foreach (var path in new[] { "/metrics", "/healthz" })
        {
            using var post = await http.PostAsync(new Uri(silo.Http, path), new StringContent("x"));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
            using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(silo.Http, path)));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        // 200 connections that send a request line and then one header byte a second.
        var slow = new List<Socket>();
        using var trickle = new CancellationTokenSource();
        try
        {
            var opened = Stopwatch.StartNew();
            for (var i = 0; i < Slow; i++)
            {
                var socket = await ConnectAsync(silo.HttpPort);
                await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "));
                slow.Add(socket);
            }

            var trickling = Task.WhenAll(slow.Select(s => TrickleAsync(s, trickle.Token)));
            var answers = 0;
            for (var i = 0; i < 5; i++)
            {
                var answer = Stopwatch.StartNew();
                using var response = await http.GetAsync(new Uri(silo.Http, "/healthz"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(answer.Elapsed < TimeSpan.FromSeconds(2), $"/healthz took {answer.Elapsed} beside {Slow} slow connections");
                answers++;
                await Task.Delay(200);
            }

            // Kestrel drops each at the handshake time (its request headers timeout), not after its default 30 s.
            var closedAfter = await Task.WhenAll(slow.Select(s => ClosedByPeerAsync(s, opened)));
            await trickle.CancelAsync();
            await trickling;
            output.WriteLine($"/healthz answered {answers} times beside {Slow} slow connections; they were closed {closedAfter.Min()!.Value.TotalSeconds:0.0}-{closedAfter.Max()!.Value.TotalSeconds:0.0} s after the first opened");
            Assert.All(closedAfter, t => Assert.NotNull(t));
            Assert.Equal(HttpStatusCode.OK, await silo.HealthStatusAsync());
        }
        finally
        {
            await trickle.CancelAsync();
            slow.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [InlineData("--handshake-timeout", "0", "GrainPool:Silo:HandshakeTimeoutSeconds (--handshake-timeout) must be between 1 and 3600 seconds (got 0).")]
    [InlineData("--idle-timeout", "-1", "GrainPool:Silo:IdleTimeoutSeconds (--idle-timeout) must be between 0 (never) and 86400 seconds (got -1).")]
    [InlineData("--max-connections", "100001", "GrainPool:Silo:MaxConnectionsPerPort (--max-connections) must be between 1 and 100000 (got 100001).")]
    public async Task A_bad_wire_limit_is_one_error_naming_the_setting_with_exit_code_2(string flag, string value, string failure)
    {
        var result = await CliProcess.RunAsync("silo", flag, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(CliResult.ErrorPrefix + "silo: invalid configuration: " + failure, Assert.Single(result.StderrLines));
        Assert.Equal(string.Empty, result.Stdout);
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // The silo may close a refused connection before the client's connect has returned: then the connect itself fails
    // (EPIPE or a reset), and that counts as closed at once.
    private static async Task<TimeSpan?> ConnectAndAwaitCloseAsync(int port, Stopwatch clock)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(port);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset)
        {
            return clock.Elapsed;
        }

        using (socket)
        {
            return await ClosedByPeerAsync(socket, clock);
        }
    }

    private static async Task SendIgnoringResetAsync(Socket socket, byte[] bytes)
    {
        try
        {
            await socket.SendAsync(bytes);
        }
        catch (SocketException)
        {
            // The silo may close on the first bad bytes while the rest are still being sent.
        }
    }

    private static async Task TrickleAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                await socket.SendAsync("a"u8.ToArray(), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cancelled, or the server closed it.
        }
    }

    /// <summary>
    /// Reads until the peer closes the connection (end of stream or reset); returns the time on <paramref name="clock"/>
    /// then, or null when it stays open past <see cref="CloseDeadline"/>. Whatever the silo sends first (its own
    /// preamble, on the silo port) is read and dropped.
    /// </summary>
    private static async Task<TimeSpan?> ClosedByPeerAsync(Socket socket, Stopwatch clock)
    {
        using var deadline = new CancellationTokenSource(CloseDeadline);
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, deadline.Token) > 0)
            {
            }

            return clock.Elapsed;
        }
        catch (SocketException)
        {
            return clock.Elapsed;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A <c>grainpool silo</c> process on free loopback ports, one core, with the given extra flags.</summary>
    private sealed class WireSilo : IAsyncDisposable
    {
        private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
        private readonly StringBuilder _log = new();
        private readonly Task _logPump;
        private string? _ready;

        private WireSilo(string clusterId, string[] args)
        {
            var ports = FreeTcpPorts.Pick(2);
            SiloPort = ports[0];
            GatewayPort = ports[1];
            ClusterId = clusterId;
            string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
            Process = CliProcess.Start(["silo", "--cluster-id", ClusterId, "--silo-port", Text(SiloPort), "--gateway-port", Text(GatewayPort), "--http-port", "0", "--cores", "1", .. args]);
            _logPump = PumpLogAsync();
        }

        public Process Process { get; }

        public string ClusterId { get; }

        public int SiloPort { get; }

        public int GatewayPort { get; }

        public string Gateway => $"127.0.0.1:{GatewayPort.ToString(CultureInfo.InvariantCulture)}";

        public Uri Http => new((_ready ?? throw new InvalidOperationException("not ready yet")).Split(' ').Single(p => p.StartsWith("http=", StringComparison.Ordinal))["http=".Length..]);

        public int HttpPort => Http.Port;

        public static Task<WireSilo> StartAsync(params string[] args) => StartInClusterAsync("wire-" + Guid.NewGuid().ToString("N")[..8], args);

        /// <summary>Starts a silo of cluster <paramref name="clusterId"/> and waits for its ready line.</summary>
        public static async Task<WireSilo> StartInClusterAsync(string clusterId, params string[] args)
        {
            var silo = new WireSilo(clusterId, args);
            using var deadline = new CancellationTokenSource(ReadyTimeout);
            while (await silo.Process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith("grainpool-silo ready ", StringComparison.Ordinal))
                {
                    silo._ready = line;
                    return silo;
                }
            }

            await silo.DisposeAsync();
            Assert.Fail("The silo ended without a ready line. Its log:\n" + string.Join('\n', silo.Log()));
            return silo;
        }

        /// <summary>The silo's log lines so far (standard error).</summary>
        public IReadOnlyList<string> Log()
        {
            lock (_log)
            {
                return _log.ToString().Split('\n');
            }
        }

        /// <summary>The file descriptors the silo process holds now.</summary>
        public int OpenDescriptors() => Directory.GetFileSystemEntries($"/proc/{Process.Id.ToString(CultureInfo.InvariantCulture)}/fd").Length;

        /// <summary>
        /// The descriptor count once start-up is over: read after a job has run (the client's connection and the
        /// silo's own are made) and /healthz answered, the lowest of a few readings.
        /// </summary>
        public async Task<int> SettledDescriptorsAsync()
        {
            var json = (await CliProcess.RunAsync("--cluster", Gateway, "--cluster-id", ClusterId, "square-sum", "--n", "1e6", "--json")).Json();
            Assert.Equal(Independent.SquareSum(0, 1_000_000), JsonRead.Integer(json, "sum"));
            Assert.Equal(HttpStatusCode.OK, await HealthStatusAsync());
            var lowest = int.MaxValue;
            for (var i = 0; i < 5; i++)
            {
                lowest = Math.Min(lowest, OpenDescriptors());
                await Task.Delay(100);
            }

            return lowest;
        }

        /// <summary>Waits until the silo holds at most <paramref name="ceiling"/> descriptors (10 s at most); returns the count.</summary>
        public async Task<int> DescriptorsFallingToAsync(int ceiling)
        {
            await SiloProcesses.UntilAsync(() => OpenDescriptors() <= ceiling, TimeSpan.FromSeconds(10), $"the silo's descriptors back to at most {ceiling}");
            return OpenDescriptors();
        }

        /// <summary>Waits (5 s at most) until <see cref="MetricAsync"/> reads <paramref name="expected"/>; /metrics is cached for a moment.</summary>
        public async Task MetricReachesAsync(double expected, string metric, params string[] labels)
        {
            var clock = Stopwatch.StartNew();
            double value;
            while ((value = await MetricAsync(metric, labels)) != expected && clock.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(100);
            }

            Assert.True(value == expected, $"{metric}{{{string.Join(',', labels)}}} is {value}, expected {expected}");
        }

        public async Task<HttpStatusCode> HealthStatusAsync()
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var response = await http.GetAsync(new Uri(Http, "/healthz"));
            return response.StatusCode;
        }

        /// <summary>The sum of the samples of <paramref name="metric"/> on /metrics whose labels contain all of <paramref name="labels"/>.</summary>
        public async Task<double> MetricAsync(string metric, params string[] labels)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var text = await http.GetStringAsync(new Uri(Http, "/metrics"));
            return text.Split('\n')
                .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)))
                .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            await _logPump;
            Process.Dispose();
        }

        private async Task PumpLogAsync()
        {
            while (await Process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_log)
                {
                    _log.Append(line).Append('\n');
                }
            }
        }
    }
}

/// <summary>
/// <see cref="WatchedTransport"/> alone, over in-memory pipes, read the way Orleans reads a preamble: what counts as
/// delivered, and what counts as traffic for the idle time.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class WatchedTransportTests
{
    [Fact]
    public async Task The_preamble_is_delivered_only_once_its_length_and_its_whole_body_are_taken()
    {
        var (peer, transport) = Connect(new ManualTime());
        const int Body = 100;
        var preamble = new byte[4 + Body];
        BitConverter.TryWriteBytes(preamble, Body);

        // Two bytes of the length: Orleans examines them and waits for more.
        await peer.Output.WriteAsync(preamble.AsMemory(0, 2));
        var read = await transport.Input.ReadAsync();
        transport.Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        Assert.False(transport.PreambleDelivered.IsCompleted);

        // The length and part of the body: Orleans takes the length, leaves the body (its Read loop does exactly this).
        await peer.Output.WriteAsync(preamble.AsMemory(2, 50));
        read = await transport.Input.ReadAsync();
        var body = read.Buffer.Slice(4);
        transport.Input.AdvanceTo(body.Start, body.End);
        Assert.False(transport.PreambleDelivered.IsCompleted, "a length and a partial body is not a preamble");

        await peer.Output.WriteAsync(preamble.AsMemory(52));
        read = await transport.Input.ReadAsync();
        Assert.Equal(Body, read.Buffer.Length);
        transport.Input.AdvanceTo(read.Buffer.End);
        Assert.True(transport.PreambleDelivered.IsCompleted);
    }

    [Fact]
    public async Task Bytes_in_either_direction_reset_the_idle_clock()
    {
        var time = new ManualTime();
        var (peer, transport) = Connect(time);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), transport.SinceLastActivity);

        await peer.Output.WriteAsync(new byte[] { 1 });
        var read = await transport.Input.ReadAsync();
        transport.Input.AdvanceTo(read.Buffer.End);
        Assert.Equal(TimeSpan.Zero, transport.SinceLastActivity);

        time.Advance(TimeSpan.FromSeconds(7));
        await transport.Output.WriteAsync(new byte[] { 2 });
        Assert.Equal(TimeSpan.Zero, transport.SinceLastActivity);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), transport.SinceLastActivity);
    }

    // The peer's end and the silo's end (watched) of one connection.
    private static (IDuplexPipe Peer, WatchedTransport Silo) Connect(TimeProvider time)
    {
        var toSilo = new Pipe();
        var toPeer = new Pipe();
        return (new Duplex(toPeer.Reader, toSilo.Writer), new WatchedTransport(new Duplex(toSilo.Reader, toPeer.Writer), time));
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

/// <summary>
/// The handshake watch with TLS (<c>Microsoft.Orleans.Connections.Security</c>) added after GrainPool's setup, as a
/// silo program of its own would: the watch must read the decrypted preamble, not the TLS records, or it would cut
/// every TLS connection at the handshake time. An in-process silo (the same <c>AddGrainPoolSilo</c>) and an Orleans
/// client, both with TLS.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class WireLimitsWithTlsTests
{
    private static readonly TimeSpan Handshake = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_tls_client_connection_is_not_cut_at_the_handshake_time()
    {
        using var certificate = SelfSignedCertificate();
        var ports = FreeTcpPorts.Pick(2);
        var siloName = "wire-tls-" + Guid.NewGuid().ToString("N")[..8];

        // Other tests' silos in this process publish the same instrument: only this silo's closes count.
        long closed = 0;
        using var closes = new MeterListener();
        closes.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "grainpool.connections.closed")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        closes.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "silo" && Equals(tag.Value, siloName))
                {
                    Interlocked.Add(ref closed, value);
                }
            }
        });
        closes.Start();

        var clusterId = siloName;
        string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        var siloBuilder = WebApplication.CreateBuilder();
        siloBuilder.AddGrainPoolSilo([
            "--silo-port", Text(ports[0]), "--gateway-port", Text(ports[1]), "--http-port", "0", "--cluster-id", clusterId,
            "--cores", "1", "--dashboard", "off", "--name", siloName, "--handshake-timeout", Text((int)Handshake.TotalSeconds)]);
        siloBuilder.UseOrleans(silo => silo.UseTls(certificate, tls => tls.AllowAnyRemoteCertificate()));
        await using var silo = siloBuilder.Build();
        silo.MapGrainPoolSiloEndpoints();
        await silo.StartAsync();

        var clientBuilder = Host.CreateApplicationBuilder();
        clientBuilder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, ports[1]))
            .Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = (clusterId, "grainpool"))
            .UseTls(certificate, tls => tls.AllowAnyRemoteCertificate()));
        using var clientHost = clientBuilder.Build();
        await clientHost.StartAsync();
        var grains = clientHost.Services.GetRequiredService<IClusterClient>();

        Assert.Single((await grains.GetGrain<IClusterInfoGrain>(0).GetTopologyAsync()).Workers());

        // Past the handshake time of the connection just made: nothing may have been cut.
        await Task.Delay(Handshake + TimeSpan.FromSeconds(2));
        Assert.Single((await grains.GetGrain<IClusterInfoGrain>(0).GetTopologyAsync()).Workers());
        Assert.Equal(0, Interlocked.Read(ref closed));

        await clientHost.StopAsync();
        await silo.StopAsync();
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=grainpool-wire-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // Reloaded from PFX so that the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), password: null);
    }
}
