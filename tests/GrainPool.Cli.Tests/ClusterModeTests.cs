using System.Globalization;
using System.Net;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests;

/// <summary>No mode flag: a one-silo cluster inside grainpool, advertising every core (or --threads).</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class EmbeddedModeTests
{
    [Fact]
    public async Task Default_mode_is_an_embedded_cluster_on_every_core_with_the_exact_sqrt_sum()
    {
        var json = (await CliProcess.RunAsync("sqrt-sum", "--n", "1e6", "--json")).Json();
        Assert.Equal("embedded", json.GetProperty("mode").GetString());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());
        Assert.Equal(Environment.ProcessorCount, json.GetProperty("workers").GetInt32());
        var exact = Reference.SqrtSums.Single(r => r.N == 1_000_000).ExactRounded;
        Assert.Equal(exact, json.GetProperty("sum").GetRawText());
    }

    [Fact]
    public async Task Default_mode_counts_the_primes_up_to_10_pow_9_and_says_where_it_ran()
    {
        var lines = (await CliProcess.RunAsync("primes", "count", "--to", "1e9")).Text();
        Assert.Equal($"Found {Reference.Pi(1_000_000_000)} primes from 0 to 1,000,000,000 (both included)", lines[0]);
        var workers = Environment.ProcessorCount == 1 ? "1 worker" : $"{Environment.ProcessorCount} workers";
        Assert.Matches($@"^Took [0-9.]+ m?s on {workers} across 1 silo \(embedded, sieve\)$", lines[1]);
    }

    [Fact]
    public async Task Threads_sets_the_cores_the_embedded_silo_advertises()
    {
        var json = (await CliProcess.RunAsync("--threads", "1", "square-sum", "--n", "1e7", "--json")).Json();
        Assert.Equal(1, json.GetProperty("workers").GetInt32());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());
        Assert.Equal(Independent.SquareSum(0, 10_000_000), JsonRead.Integer(json, "sum"));
    }
}

/// <summary>--silos N: N silo processes started for the command, and stopped after it whichever way it ends.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class SilosModeTests
{
    // Each silo is pinned to its share of the CPUs and advertises as many cores; more silos than CPUs get one each.
    private static readonly int ExpectedWorkers = Math.Max(2, Environment.ProcessorCount);

    // Reads the silo processes from /proc.
    [LinuxFact]
    public async Task Two_silo_processes_count_the_primes_up_to_10_pow_9_and_are_gone_after_exit()
    {
        var (result, silos) = await CliProcess.RunWatchingSilosAsync("--silos", "2", "primes", "count", "--to", "1e9", "--json");
        var json = result.Json();
        Assert.Equal(50_847_534, JsonRead.Integer(json, "count"));
        Assert.Equal(Reference.Pi(1_000_000_000), JsonRead.Integer(json, "count"));
        Assert.Equal("silos", json.GetProperty("mode").GetString());
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
        Assert.Equal(ExpectedWorkers, json.GetProperty("workers").GetInt32());
        Assert.Equal(2, silos.Count);
        Assert.All(silos, silo => Assert.False(SiloProcesses.IsRunning(silo.Key, silo.Value), $"silo process {silo.Key} outlived grainpool"));
    }

    // Reads the silo processes from /proc.
    [LinuxFact]
    public async Task Two_silo_processes_give_the_bit_identical_sqrt_sum()
    {
        var (result, silos) = await CliProcess.RunWatchingSilosAsync("--silos", "2", "sqrt-sum", "--n", "1_000_000", "--repeat", "2", "--json");
        var json = result.Json();
        var exact = Reference.SqrtSums.Single(r => r.N == 1_000_000).ExactRounded;
        Assert.Equal(exact, json.GetProperty("sum").GetRawText());
        Assert.All(JsonRead.Doubles(json, "results"), r => Assert.Equal(double.Parse(exact, CultureInfo.InvariantCulture), r));
        Assert.Equal("silos", json.GetProperty("mode").GetString());
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
        Assert.Equal(ExpectedWorkers, json.GetProperty("workers").GetInt32());
        Assert.Equal(2, silos.Count);
        Assert.All(silos, silo => Assert.False(SiloProcesses.IsRunning(silo.Key, silo.Value), $"silo process {silo.Key} outlived grainpool"));
    }

    // /proc, and two CPUs to share out: on a 1-CPU runner it is reported as skipped, not passed.
    [MultiCpuLinuxFact(2)]
    public async Task Two_silo_processes_are_each_pinned_with_every_thread_to_their_own_share_of_the_cpus()
    {
        // 10^15 is hours of work on any machine: the silos run until the test presses Ctrl+C after reading them.
        using var process = CliProcess.Start("--silos", "2", "primes", "count", "--to", "1e15", "--json");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var seen = new Dictionary<int, IReadOnlySet<string>>();
        try
        {
            // Read each silo's threads once it has started its runtime (a dozen threads or more).
            await SiloProcesses.UntilAsync(
                () =>
                {
                    Assert.False(process.HasExited, "grainpool ended while its silos were being read");
                    foreach (var pid in SiloProcesses.ChildrenOf(process.Id).Keys)
                    {
                        var (sets, threads) = SiloProcesses.CpuSetsOfThreads(pid);
                        if (threads >= 12)
                        {
                            seen[pid] = sets;
                        }
                    }

                    return seen.Count == 2;
                },
                TimeSpan.FromSeconds(120),
                "grainpool's two silo processes started their runtimes");
            await CliProcess.InterruptAsync(process);
        }
        finally
        {
            CliProcess.KillIfRunning(process);
        }

        Assert.Equal(string.Empty, await stdout);
        Assert.Equal("grainpool: cancelled", (await stderr).TrimEnd());
        Assert.Equal(2, seen.Count);
        // Every thread of a silo shares one CPU set; the two silos' sets do not overlap and together cover every CPU.
        var perSilo = seen.Values.Select(sets => Assert.Single(sets)).ToArray();
        var cpus = perSilo.Select(CpuList).ToArray();
        Assert.Empty(cpus[0].Intersect(cpus[1]));
        Assert.Equal(Enumerable.Range(0, Environment.ProcessorCount), cpus[0].Union(cpus[1]).Order());
    }

    // "0-2,5" -> 0, 1, 2, 5
    private static IEnumerable<int> CpuList(string list) => list.Split(',').SelectMany(part =>
    {
        var bounds = part.Split('-').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        return Enumerable.Range(bounds[0], bounds[^1] - bounds[0] + 1);
    });

    // Sends SIGINT and reads /proc.
    [LinuxFact]
    public async Task Ctrl_c_cancels_the_job_and_stops_the_silo_processes()
    {

        using var process = CliProcess.Start("--silos", "2", "primes", "count", "--to", "1e15");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        IReadOnlyDictionary<int, string> silos = new Dictionary<int, string>();
        try
        {
            await SiloProcesses.UntilAsync(() => (silos = SiloProcesses.ChildrenOf(process.Id)).Count == 2, TimeSpan.FromSeconds(60), "grainpool started two silo processes");
            // Connected to a gateway: the client is up and the job is starting or running.
            var gateways = silos.Values.Select(c => SiloProcesses.FlagValue(c, "--gateway-port")).ToArray();
            await SiloProcesses.UntilAsync(() => gateways.Any(SiloProcesses.HasEstablishedConnectionTo), TimeSpan.FromSeconds(60), "grainpool connected to a gateway");
            await CliProcess.SignalAsync(process.Id, "INT");

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(130, process.ExitCode);
        Assert.Equal(string.Empty, await stdout);
        Assert.Equal("grainpool: cancelled", (await stderr).TrimEnd());
        Assert.All(silos, silo => Assert.False(SiloProcesses.IsRunning(silo.Key, silo.Value), $"silo process {silo.Key} outlived grainpool"));
    }
}

/// <summary>--cluster: joining silos that run on their own (here: two silo processes the fixture starts).</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class RemoteModeTests(LocalClusterFixture fixture) : IClassFixture<LocalClusterFixture>
{
    [Fact]
    public async Task Joining_a_running_cluster_uses_every_silo_and_worker()
    {
        var json = (await CliProcess.RunAsync(
            "--cluster", fixture.Gateways, "--cluster-id", fixture.Cluster.ClusterId, "primes", "count", "--to", "1e8", "--json")).Json();
        Assert.Equal(Reference.Pi(100_000_000), JsonRead.Integer(json, "count"));
        Assert.Equal("remote", json.GetProperty("mode").GetString());
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
        Assert.Equal(fixture.Cluster.TotalCores, json.GetProperty("workers").GetInt32());
    }

    [Fact]
    public async Task Threads_caps_the_workers_a_job_uses_on_a_joined_cluster()
    {
        var json = (await CliProcess.RunAsync(
            "--cluster", fixture.Gateways, "--cluster-id", fixture.Cluster.ClusterId, "--threads", "1", "primes", "map", "--upto", "100000", "--json")).Json();
        Assert.Equal(Reference.Pi(100_000), JsonRead.Integer(json, "count"));
        Assert.Equal(1, json.GetProperty("workers").GetInt32());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());
    }

    [Fact]
    public async Task Demo_at_tutorial_size_runs_on_a_joined_cluster_and_checks_every_result()
    {
        var json = (await CliProcess.RunAsync(
            "--cluster", fixture.Gateways, "--cluster-id", fixture.Cluster.ClusterId, "demo", "--tutorial-size", "--json")).Json();
        Assert.Equal("demo", json.GetProperty("command").GetString());
        Assert.Equal("remote", json.GetProperty("mode").GetString());
        Assert.True(json.GetProperty("tutorialSize").GetBoolean());
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
        Assert.Equal(fixture.Cluster.TotalCores, json.GetProperty("workers").GetInt32());

        var programs = json.GetProperty("programs").EnumerateArray().ToDictionary(p => p.GetProperty("program").GetString()!);
        Assert.Equal(["heavy_task", "pool_map_is_prime", "process_pool_compute"], programs.Keys);
        Assert.All(programs.Values, p => Assert.True(p.GetProperty("ok").GetBoolean()));
        Assert.All(programs.Values, p => Assert.Equal(fixture.Cluster.TotalCores, p.GetProperty("allWorkers").GetInt32()));
        Assert.Equal(Independent.SquareSum(0, 10_000_000), JsonRead.Integer(programs["heavy_task"], "result"));
        Assert.Equal(Reference.Pi(100_000), JsonRead.Integer(programs["pool_map_is_prime"], "result"));
        Assert.Equal("666666166.4588221", programs["process_pool_compute"].GetProperty("result").GetRawText());
        Assert.Equal(["Found 9592 primes up to 100,000"], Output(programs["pool_map_is_prime"]));
        Assert.Equal(["Done. First result: 666666166.46"], Output(programs["process_pool_compute"]));
    }

    // An Orleans client picks a call's gateway from the grain's id, so without SiloRoutes a batch for one silo's worker
    // often arrives at the other silo and is forwarded (read, written again, sent on). With each silo's batches sent
    // through its own gateway, the silos pass each other almost nothing while a map's 8 MB of items reach them.
    [Fact]
    public async Task Item_batches_go_straight_to_the_gateway_of_the_silo_that_computes_them()
    {
        var gateways = fixture.Cluster.GatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray();
        await using var connection = await GrainPoolConnection.ConnectAsync(gateways, fixture.Cluster.ClusterId, fixture.Cluster.ServiceId);
        await connection.Client.ConnectRoutesAsync();
        long[] items = [.. Enumerable.Range(1, 1_000_000).Select(i => (long)i)];

        var forwardedBefore = await SiloToSiloRequestBytesAsync();
        var map = await connection.Client.MapAsync(BuiltInKernels.IsPrimeTrial, items);
        var forwarded = await SiloToSiloRequestBytesAsync() - forwardedBefore;

        Assert.Equal(Reference.Pi(1_000_000), (ulong)map.Results.Count(isPrime => isPrime));
        Assert.Equal(2, map.Stats.Silos);
        // Item batches are 8 MB in all; what the silos still send each other (membership, cancellation, metadata) is
        // kilobytes.
        Assert.True(forwarded < 400_000, $"the silos forwarded {forwarded} bytes of requests to each other during an 8 MB map");
    }

    private async Task<double> SiloToSiloRequestBytesAsync()
    {
        using var http = new HttpClient();
        var total = 0.0;
        foreach (var silo in fixture.Cluster.Silos)
        {
            var text = await http.GetStringAsync(new Uri(silo.HttpUrl, "/metrics"));
            total += text.Split('\n')
                .Where(line => line.StartsWith("orleans_messaging_received_messages_size_bytes_sum{", StringComparison.Ordinal)
                    && line.Contains("ConnectionDirection=\"SiloToSilo\"", StringComparison.Ordinal)
                    && line.Contains("MessageDirection=\"Request\"", StringComparison.Ordinal))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }

        return total;
    }

    // The client's metrics on --metrics-port while a job of hours runs on the joined cluster; Ctrl+C stops it, and the
    // cluster then counts exactly again (the cancelled job left nothing behind on the silos).
    [LinuxFact]
    public async Task Metrics_port_serves_the_client_metrics_of_a_job_on_a_joined_cluster_and_the_silos_stay_exact()
    {
        var port = FreeTcpPorts.Pick(1)[0];
        var during = await MetricsPortTests.ScrapeThenInterruptAsync(
            port, ["--cluster", fixture.Gateways, "--cluster-id", fixture.Cluster.ClusterId, "primes", "count", "--to", "1e15"]);
        Assert.DoesNotContain("silo=\"embedded\"", during, StringComparison.Ordinal);

        var json = (await CliProcess.RunAsync(
            "--cluster", fixture.Gateways, "--cluster-id", fixture.Cluster.ClusterId, "primes", "count", "--to", "1e9", "--json")).Json();
        Assert.Equal(Reference.Pi(1_000_000_000), JsonRead.Integer(json, "count"));
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
    }

    private static string[] Output(System.Text.Json.JsonElement program) =>
        [.. program.GetProperty("output").EnumerateArray().Select(l => l.GetString()!)];
}

/// <summary>What fails before any job runs: where the work should run cannot be reached.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class ClusterFailureTests
{
    [Fact]
    public async Task Unreachable_cluster_is_one_error_line_and_exit_1()
    {
        var port = FreeTcpPorts.Pick(1)[0]; // free a moment ago: nothing listens there
        var result = await CliProcess.RunAsync("--cluster", $"127.0.0.1:{port}", "square-sum", "--n", "10");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"grainpool: error: could not connect to the cluster at 127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_verbose_an_unreachable_cluster_shows_the_clients_log_before_the_error_line()
    {
        var port = FreeTcpPorts.Pick(1)[0];
        var result = await CliProcess.RunAsync("--cluster", $"127.0.0.1:{port}", "--verbose", "square-sum", "--n", "10");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var lines = result.StderrLines;
        var errorLine = lines.ToList().FindIndex(l => l.StartsWith(CliResult.ErrorPrefix, StringComparison.Ordinal));
        Assert.True(errorLine > 0, $"expected the client's log, then the error line: {result.Stderr}");
        Assert.StartsWith($"grainpool: error: could not connect to the cluster at 127.0.0.1:{port}", lines[errorLine], StringComparison.Ordinal);
        // Orleans' own warnings, as they came: each connection attempt refused.
        Assert.All(lines.Take(errorLine), l => Assert.Matches(@"^grainpool: log: \+\d+\.\d\d s (info|warn|error): \w+: \S", l));
        Assert.Contains(lines.Take(errorLine), l => l.Contains($"Unable to connect to 127.0.0.1:{port}", StringComparison.Ordinal));
    }
}
