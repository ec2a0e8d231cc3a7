using System.Globalization;
using GrainPool.Cli.Commands;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests;

/// <summary><c>grainpool silo</c>: a silo in the foreground that other grainpool commands join with --cluster.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class SiloCommandTests
{
    // Ctrl+C is SIGINT through kill(1).
    [LinuxFact]
    public async Task Silo_command_runs_a_silo_that_jobs_join_and_ctrl_c_stops_it()
    {
        var clusterId = NewClusterId();
        await using var silo = ForegroundSilo.Start(clusterId, "--cores", "1", "--name", "foreground");

        var ready = await silo.ReadyAsync();
        Assert.Contains("name=foreground", ready, StringComparison.Ordinal);
        Assert.Contains($"gateway={silo.GatewayPort}", ready, StringComparison.Ordinal);

        var json = (await CliProcess.RunAsync("--cluster", silo.Gateway, "--cluster-id", clusterId, "square-sum", "--n", "1e7", "--json")).Json();
        Assert.Equal("333333283333335000000", json.GetProperty("sum").GetString());
        Assert.Equal("remote", json.GetProperty("mode").GetString());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());
        Assert.Equal(1, json.GetProperty("workers").GetInt32());

        await CliProcess.SignalAsync(silo.Process.Id, "INT");

        Assert.Equal("grainpool-silo stopped name=foreground", await silo.StoppedAsync());
        Assert.Equal(0, await silo.ExitCodeAsync());
    }

    [Fact]
    public async Task Silo_settings_come_from_environment_variables_and_the_command_line_overrides_them()
    {
        var clusterId = NewClusterId();
        var environment = new Dictionary<string, string>
        {
            ["GrainPool__Silo__AdvertisedCores"] = "3",
            ["GrainPool__Silo__Name"] = "from-environment",
            ["GrainPool__Silo__ClusterId"] = clusterId,
        };
        await using var silo = ForegroundSilo.Start(environment, "--name", "from-command-line");

        var ready = await silo.ReadyAsync();
        Assert.Contains("name=from-command-line ", ready, StringComparison.Ordinal);
        Assert.EndsWith(" cores=3", ready, StringComparison.Ordinal);

        // /healthz of the running silo: ready, with the settings it runs with.
        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri(silo.Http, "/healthz"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var health = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", health.RootElement.GetProperty("status").GetString());
        Assert.Equal("from-command-line", health.RootElement.GetProperty("name").GetString());
        Assert.Equal(3, health.RootElement.GetProperty("cores").GetInt32());

        // The cluster id came from the environment: a client must name it to join.
        var json = (await CliProcess.RunAsync("--cluster", silo.Gateway, "--cluster-id", clusterId, "square-sum", "--n", "1e6", "--json")).Json();
        Assert.Equal(3, json.GetProperty("workers").GetInt32());
    }

    // SIGTERM through kill(1).
    [LinuxFact]
    public async Task A_silo_stopped_with_sigterm_in_the_middle_of_a_job_leaves_and_the_job_finishes_exactly_on_the_other()
    {
        var clusterId = NewClusterId();
        await using var primary = ForegroundSilo.Start(clusterId, "--cores", "1", "--name", "staying");
        await using var leaving = ForegroundSilo.Start(clusterId, "--cores", "1", "--name", "leaving", "--primary-port", primary.SiloPort.ToString(CultureInfo.InvariantCulture));
        await primary.ReadyAsync();
        await leaving.ReadyAsync();

        using var job = CliProcess.Start([.. JobWithAChunkOnEveryWorkerUntilNearItsEnd(clusterId, primary, leaving)]);
        var stdout = job.StandardOutput.ReadToEndAsync();
        var stderr = job.StandardError.ReadToEndAsync();
        await WaitUntilItRunsAChunkAsync(leaving, job);
        var stayingBefore = await ChunksCompletedAsync(primary);

        await CliProcess.SignalAsync(leaving.Process.Id, "TERM");

        Assert.Equal("grainpool-silo stopped name=leaving", await leaving.StoppedAsync());
        Assert.Equal(0, await leaving.ExitCodeAsync());
        await ExitAsync(job, JobDeadline);
        Assert.True(job.ExitCode == 0, await stderr);
        using var json = System.Text.Json.JsonDocument.Parse(await stdout);
        Assert.Equal(Reference.Pi(100_000_000_000), json.RootElement.GetProperty("count").GetUInt64());
        // The chunk it held went back and ran on the staying silo, the only one left. (How many silos the JSON names
        // depends on whether the leaving silo had finished a chunk before the signal, a matter of speed: not asserted.)
        Assert.True(await ChunksCompletedAsync(primary) > stayingBefore, "the staying silo completed no chunk after the other left");
    }

    // Process.Kill is SIGKILL; the silo's /metrics shows its running chunk first. The retried chunk waits for Orleans'
    // 30 s response timeout before it runs elsewhere (the killed silo never answers), hence the generous deadline.
    [LinuxFact]
    public async Task A_silo_killed_in_the_middle_of_a_chunk_is_retried_and_the_job_finishes_exactly_on_the_survivor()
    {
        var clusterId = NewClusterId();
        await using var survivor = ForegroundSilo.Start(clusterId, "--cores", "1", "--name", "survivor");
        await using var victim = ForegroundSilo.Start(clusterId, "--cores", "1", "--name", "victim", "--primary-port", survivor.SiloPort.ToString(CultureInfo.InvariantCulture));
        await survivor.ReadyAsync();
        await victim.ReadyAsync();

        using var job = CliProcess.Start([.. JobWithAChunkOnEveryWorkerUntilNearItsEnd(clusterId, survivor, victim)]);
        var stdout = job.StandardOutput.ReadToEndAsync();
        var stderr = job.StandardError.ReadToEndAsync();
        await WaitUntilItRunsAChunkAsync(victim, job);
        var survivorBefore = await ChunksCompletedAsync(survivor);

        victim.Process.Kill(entireProcessTree: true);
        Assert.Equal(9, await victim.KilledSignalAsync()); // SIGKILL: no shutdown, no hand-back

        await ExitAsync(job, JobDeadline);
        Assert.True(job.ExitCode == 0, await stderr);
        using var json = System.Text.Json.JsonDocument.Parse(await stdout);
        Assert.Equal(Reference.Pi(100_000_000_000), json.RootElement.GetProperty("count").GetUInt64());
        Assert.Equal("remote", json.RootElement.GetProperty("mode").GetString());
        // The survivor ran the rest of the job, the killed silo's chunk included (it never answered: counted once, here).
        Assert.True(await ChunksCompletedAsync(survivor) > survivorBefore, "the survivor completed no chunk after the kill");
    }

    // How long a job of JobWithAChunkOnEveryWorkerUntilNearItsEnd may take to end: minutes of one core's work (about 40 s
    // alone here) on a machine that may be busy with anything else, plus Orleans' 30 s response timeout when a silo was
    // killed. Only a hung job reaches it.
    private static readonly TimeSpan JobDeadline = TimeSpan.FromMinutes(10);

    // pi(10^11) in chunks of 10^9: 100 chunks, and every worker has one running and one queued (two lanes per worker,
    // the first round one per worker) until fewer than that are left, so a silo of the job holds a chunk from its first
    // round until near the job's end, whatever the machine's speed: the test sees one on the first scrapes.
    private static string[] JobWithAChunkOnEveryWorkerUntilNearItsEnd(string clusterId, ForegroundSilo first, ForegroundSilo second) =>
        ["--cluster", $"{first.Gateway},{second.Gateway}", "--cluster-id", clusterId, "primes", "count", "--to", "1e11", "--chunk-size", "1e9", "--json"];

    private static async Task WaitUntilItRunsAChunkAsync(ForegroundSilo silo, System.Diagnostics.Process job)
    {
        using var http = new HttpClient();
        await SiloProcesses.UntilAsync(
            () => job.HasExited || RunningChunks(http.GetStringAsync(new Uri(silo.Http, "/metrics")).GetAwaiter().GetResult()) > 0,
            TimeSpan.FromSeconds(120),
            "a chunk ran on the silo " + silo.Http);
        Assert.False(job.HasExited, "the job ended before a chunk was seen on " + silo.Http);
    }

    private static long RunningChunks(string metrics) => metrics.Split('\n')
        .Where(l => l.StartsWith("grainpool_chunks_running{", StringComparison.Ordinal))
        .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static async Task<double> ChunksCompletedAsync(ForegroundSilo silo)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(silo.Http, "/metrics"));
        return metrics.Split('\n')
            .Where(l => l.StartsWith("grainpool_chunks_completed_total{", StringComparison.Ordinal) && l.Contains("prime-count/sieve", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task ExitAsync(System.Diagnostics.Process process, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the job did not end within {within.TotalSeconds:0} s");
        }
    }

    [Fact]
    public async Task A_host_name_gateway_joins_the_silo_and_an_ipv6_gateway_to_its_ipv4_listener_is_one_clear_error()
    {
        var clusterId = NewClusterId();
        await using var silo = ForegroundSilo.Start(clusterId, "--cores", "1", "--name", "by-name");
        await silo.ReadyAsync();
        var port = silo.GatewayPort.ToString(CultureInfo.InvariantCulture);

        var json = (await CliProcess.RunAsync("--cluster", $"localhost:{port}", "--cluster-id", clusterId, "square-sum", "--n", "1e6", "--json")).Json();
        Assert.Equal(Independent.SquareSum(0, 1_000_000), JsonRead.Integer(json, "sum"));
        Assert.Equal("remote", json.GetProperty("mode").GetString());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());

        // By default a silo listens on 127.0.0.1 only: [::1] reaches nothing there, and the user is told where it tried.
        var result = await CliProcess.RunAsync("--cluster", $"[::1]:{port}", "--cluster-id", clusterId, "square-sum", "--n", "10");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"grainpool: error: could not connect to the cluster at [::1]:{port} (cluster id '{clusterId}')", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ipv6_loopback_gateway_joins_a_silo_listening_on_every_address()
    {
        var clusterId = NewClusterId();
        await using var silo = ForegroundSilo.Start(clusterId, "--cores", "1", "--name", "dual-stack", "--listen-address", "::");
        await silo.ReadyAsync();

        var json = (await CliProcess.RunAsync(
            "--cluster", $"[::1]:{silo.GatewayPort.ToString(CultureInfo.InvariantCulture)}", "--cluster-id", clusterId, "square-sum", "--n", "1e6", "--json")).Json();
        Assert.Equal(Independent.SquareSum(0, 1_000_000), JsonRead.Integer(json, "sum"));
        Assert.Equal("remote", json.GetProperty("mode").GetString());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());
    }

    // One code path (GrainPoolSiloHost.RunAsync): `grainpool silo` and the silo executable read the same settings and
    // refuse the same bad ones with exit code 2, naming each setting and its flag: the silo a line per failure, the
    // grainpool command in its one error line.
    [Fact]
    public async Task Grainpool_silo_and_the_silo_executable_refuse_the_same_bad_settings_with_exit_code_2()
    {
        string[] args = ["--cores", "0", "--slice-target-ms", "5000", "--join-lock", "/no/such/folder/join.lock"];
        string[] failures =
        [
            "GrainPool:Silo:AdvertisedCores (--cores) must be between 1 and 4096 (got 0).",
            "GrainPool:Silo:SliceTargetMs (--slice-target-ms) must be between 1 and 1000 ms, short enough for cancellations to be seen promptly (got 5000).",
            "GrainPool:Silo:JoinLockFile (--join-lock) must be a file in an existing folder (got '/no/such/folder/join.lock').",
        ];

        var viaSilo = await RunSiloExecutableAsync(args);
        var viaCli = await CliProcess.RunAsync(["silo", .. args]);

        Assert.Equal(2, viaSilo.ExitCode);
        Assert.Equal(["grainpool-silo: cannot start with this configuration:", .. failures.Select(f => "  " + f)], viaSilo.StderrLines);
        Assert.Equal(string.Empty, viaSilo.Stdout);
        Assert.Equal(2, viaCli.ExitCode);
        Assert.Equal(CliResult.ErrorPrefix + "silo: invalid configuration: " + string.Join(" ", failures), Assert.Single(viaCli.StderrLines));
        Assert.Equal(string.Empty, viaCli.Stdout);
    }

    [Fact]
    public void Help_describes_every_flag_the_silo_has()
    {
        var (undescribed, unknown) = SiloCommand.DescriptionDrift();
        Assert.Empty(undescribed);
        Assert.Empty(unknown);
    }

    [Fact]
    public async Task Silo_help_lists_the_silo_flags()
    {
        var help = string.Join('\n', (await CliProcess.RunAsync("silo", "--help")).Text());
        Assert.Contains("Usage:\n  grainpool silo [options]", help, StringComparison.Ordinal);
        foreach (var flag in new[] { "--silo-port", "--gateway-port", "--primary-port", "--cores", "--cluster-id" })
        {
            Assert.Contains(flag, help, StringComparison.Ordinal);
        }
    }

    private static async Task<CliResult> RunSiloExecutableAsync(string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(CliProcess.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(LocalSiloProcess.DefaultSiloAssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return new CliResult(args, process.ExitCode, await stdout, await stderr);
    }

    private static string NewClusterId() => "cli-test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>
    /// <c>grainpool silo</c> in the foreground on free loopback ports (HTTP on a port of its choosing), as a user runs it
    /// in a terminal. Disposing kills it if it is still running and drains its log.
    /// </summary>
    private sealed class ForegroundSilo : IAsyncDisposable
    {
        private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);
        private readonly Task<string> _log;
        private string? _ready;

        private ForegroundSilo(IReadOnlyDictionary<string, string> environment, string[] args)
        {
            var ports = FreeTcpPorts.Pick(2);
            SiloPort = ports[0];
            GatewayPort = ports[1];
            string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
            Process = CliProcess.Start(environment, ["silo", "--silo-port", Text(SiloPort), "--gateway-port", Text(GatewayPort), "--http-port", "0", .. args]);
            _log = Process.StandardError.ReadToEndAsync();
        }

        public System.Diagnostics.Process Process { get; }

        public int SiloPort { get; }

        public int GatewayPort { get; }

        /// <summary>The gateway as <c>--cluster</c> takes it.</summary>
        public string Gateway => $"127.0.0.1:{GatewayPort}";

        /// <summary>The HTTP endpoint from the ready line (after <see cref="ReadyAsync"/>).</summary>
        public Uri Http => new((_ready ?? throw new InvalidOperationException("not ready yet")).Split(' ').Single(part => part.StartsWith("http=", StringComparison.Ordinal))["http=".Length..]);

        public static ForegroundSilo Start(string clusterId, params string[] args) =>
            new(new Dictionary<string, string>(), ["--cluster-id", clusterId, .. args]);

        public static ForegroundSilo Start(IReadOnlyDictionary<string, string> environment, params string[] args) => new(environment, args);

        /// <summary>Waits for the ready line and returns it.</summary>
        public async Task<string> ReadyAsync() => _ready = await ReadLineStartingWithAsync(Process.StandardOutput, "grainpool-silo ready ");

        /// <summary>Waits for the stopped line and returns it.</summary>
        public Task<string> StoppedAsync() => ReadLineStartingWithAsync(Process.StandardOutput, "grainpool-silo stopped ");

        /// <summary>Waits for the killed process to end; returns the signal that ended it (from its exit status 128 + n).</summary>
        public async Task<int> KilledSignalAsync() => await ExitCodeAsync() - 128;

        public async Task<int> ExitCodeAsync()
        {
            using var deadline = new CancellationTokenSource(LineTimeout);
            await Process.WaitForExitAsync(deadline.Token);
            return Process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            await _log;
            Process.Dispose();
        }

        private static async Task<string> ReadLineStartingWithAsync(StreamReader reader, string prefix)
        {
            using var deadline = new CancellationTokenSource(LineTimeout);
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }

            Assert.Fail($"The silo's output ended without a line starting '{prefix}'.");
            return string.Empty;
        }
    }
}
