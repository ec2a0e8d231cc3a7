using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> (Debian's package of that name) on 127.0.0.1 and a free port, with no persistence and a
/// temporary folder of its own, for the tests of Redis membership: started and awaited until it answers PING, stopped
/// and its folder removed on dispose. A machine without redis-server fails the test that needs it, naming the package
/// (test.sh installs it), rather than skipping it.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    /// <summary>The Debian package that provides the program.</summary>
    public const string Package = "redis-server";

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(20);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "grainpool-redis-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StringBuilder _log = new();
    private Process? _process;

    /// <summary>The port it listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The server as <c>--redis</c> takes it: <c>127.0.0.1:port</c>.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var program = FindProgram()
            ?? throw new InvalidOperationException(
                $"redis-server is not installed: the Redis membership tests need Debian's package '{Package}' " +
                $"(apt-get install -y --no-install-recommends {Package}; ./test.sh installs it when run as root).");
        Directory.CreateDirectory(_folder);
        Port = FreeTcpPorts.Pick(1)[0];
        await StartAsync(program);
    }

    /// <summary>
    /// Restarts the server the way an operator restarts Redis (an upgrade, a reboot): <c>SHUTDOWN SAVE</c> writes the
    /// data to its folder, and the new server on the same port loads it. Returns how long it did not answer.
    /// </summary>
    public async Task<TimeSpan> RestartAsync()
    {
        var clock = Stopwatch.StartNew();
        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", Port);
            await client.GetStream().WriteAsync("SHUTDOWN SAVE\r\n"u8.ToArray());
            await _process!.WaitForExitAsync();
        }

        _process.Dispose();
        await StartAsync(FindProgram()!);
        return clock.Elapsed;
    }

    private async Task StartAsync(string program)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        foreach (var argument in (string[])["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _folder])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (!await AnswersPingAsync())
        {
            if (_process.HasExited || clock.Elapsed > StartDeadline)
            {
                throw new InvalidOperationException(
                    $"redis-server on port {Port} did not answer PING within {StartDeadline.TotalSeconds:0} s (exited: {_process.HasExited}). Its output:\n{Log()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>Whether the server answers <c>PING</c> with <c>+PONG</c> now.</summary>
    public async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", Port, deadline.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), deadline.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, deadline.Token);
            return Encoding.ASCII.GetString(buffer, 0, read) == "+PONG\r\n";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static string? FindProgram() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "redis-server"))
            .FirstOrDefault(File.Exists);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }
}
