using System.Diagnostics;
using GrainPool.Cli.Commands;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

/// <summary><c>grainpool stack</c> as a user runs it: its lines, what they point at, and how SIGTERM ends it.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class StackCommandTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(90);

    // Reads /proc and sends SIGTERM through kill(1). Prometheus is installed on the machines that run this (CI fails on
    // a missing prerequisite), so without --no-prometheus the stack would start one.
    [LinuxFact]
    public async Task No_prometheus_starts_only_the_silos_prints_their_urls_and_sigterm_stops_it_all_with_exit_0()
    {
        var clusterId = "cli-stack-" + Guid.NewGuid().ToString("N")[..8];
        using var stack = CliProcess.Start("stack", "--silos", "1", "--cluster-id", clusterId, "--prometheus-port", "0", "--no-prometheus");
        var stderr = stack.StandardError.ReadToEndAsync();
        IReadOnlyDictionary<int, string> silos = new Dictionary<int, string>();
        try
        {
            var lines = await ReadUntilAsync(stack.StandardOutput, StackCommand.ReadyLine);

            // What it prints: the cluster, the silo's URLs, the jobs line, and no Prometheus at all.
            Assert.Matches($"^cluster {clusterId}: 1 silos, [0-9]+ cores$", lines[0]);
            var silo = Assert.Single(lines, l => l.StartsWith("silo ", StringComparison.Ordinal));
            Assert.Matches(@"^silo \S+: gateway 127\.0\.0\.1:[0-9]+, [0-9]+ cores, metrics http://\S+/metrics, health http://\S+/healthz, dashboard http://\S+/dashboard/$", silo);
            Assert.DoesNotContain(lines, l => l.StartsWith("prometheus", StringComparison.Ordinal));
            Assert.Empty(SiloProcesses.ChildrenRunning(stack.Id, "prometheus"));
            silos = SiloProcesses.ChildrenOf(stack.Id);
            Assert.Single(silos);

            // What it serves: the silo's /metrics at the printed URL, and a cluster that the printed jobs line joins.
            var metricsUrl = new Uri(silo.Split(' ').Single(p => p.EndsWith("/metrics,", StringComparison.Ordinal)).TrimEnd(','));
            using (var http = new HttpClient())
            {
                var metrics = await http.GetStringAsync(metricsUrl);
                Assert.Contains("grainpool_cores_advertised{", metrics, StringComparison.Ordinal);
            }

            var jobs = Assert.Single(lines, l => l.StartsWith("jobs: grainpool ", StringComparison.Ordinal)).Split(' ');
            Assert.Equal(["jobs:", "grainpool", "--cluster"], jobs[..3]);
            Assert.Equal("--cluster-id", jobs[4]);
            Assert.Equal(clusterId, jobs[5]);
            var json = (await CliProcess.RunAsync("--cluster", jobs[3], "--cluster-id", jobs[5], "primes", "count", "--to", "1e8", "--json")).Json();
            Assert.Equal(Reference.Pi(100_000_000), JsonRead.Integer(json, "count"));
            Assert.Equal("remote", json.GetProperty("mode").GetString());

            await TerminateAsync(stack);
        }
        finally
        {
            CliProcess.KillIfRunning(stack);
        }

        Assert.True(stack.ExitCode == 0, $"exit {stack.ExitCode}: {await stderr}");
        Assert.Equal(string.Empty, await stderr);
        Assert.All(silos, s => Assert.False(SiloProcesses.IsRunning(s.Key, s.Value), $"silo process {s.Key} outlived the stack"));
    }

    // A person watching the dashboards types 'add' and 'remove': the cluster grows and shrinks, jobs use the new silo,
    // and Prometheus' targets follow (its /api/v1/targets), without restarting anything.
    [LinuxFact]
    public async Task Typing_add_and_remove_grows_and_shrinks_the_running_stack_and_prometheus_follows()
    {
        var clusterId = "cli-stack-" + Guid.NewGuid().ToString("N")[..8];
        using var stack = CliProcess.StartWithInput("stack", "--silos", "1", "--cluster-id", clusterId, "--prometheus-port", "0", "--scrape-interval", "1");
        var stderr = stack.StandardError.ReadToEndAsync();
        try
        {
            var lines = await ReadUntilAsync(stack.StandardOutput, StackCommand.ReadyLine);
            var prometheus = new Uri(Assert.Single(lines, l => l.StartsWith("prometheus http", StringComparison.Ordinal)).Split(' ')[1].TrimEnd(':'));
            var gateway = Assert.Single(lines, l => l.StartsWith("jobs: grainpool ", StringComparison.Ordinal)).Split(' ')[3];
            // The first silo's cores (all the CPUs it is pinned to); an added silo offers as many.
            var cores = int.Parse(lines[0].Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture);
            await UntilTargetsAsync(prometheus, 1);

            await stack.StandardInput.WriteLineAsync(StackCommand.AddCommand);
            await stack.StandardInput.FlushAsync();
            var added = await ReadUntilAsync(stack.StandardOutput, $"cluster {clusterId}: 2 silos, {2 * cores} cores");
            Assert.Matches($@"^silo silo-1: gateway 127\.0\.0\.1:[0-9]+, {cores} cores, .* \(added\)$", Assert.Single(added, l => l.StartsWith("silo ", StringComparison.Ordinal)));
            await UntilTargetsAsync(prometheus, 2);
            var json = (await CliProcess.RunAsync("--cluster", gateway, "--cluster-id", clusterId, "primes", "count", "--to", "1e9", "--json")).Json();
            Assert.Equal(Reference.Pi(1_000_000_000), JsonRead.Integer(json, "count"));
            Assert.Equal(2, json.GetProperty("silos").GetInt32());

            await stack.StandardInput.WriteLineAsync(StackCommand.RemoveCommand);
            await stack.StandardInput.FlushAsync();
            var removed = await ReadUntilAsync(stack.StandardOutput, $"cluster {clusterId}: 1 silos, {cores} cores");
            Assert.Contains("silo silo-1: stopped", removed);
            await UntilTargetsAsync(prometheus, 1);

            await TerminateAsync(stack);
        }
        finally
        {
            CliProcess.KillIfRunning(stack);
        }

        Assert.True(stack.ExitCode == 0, $"exit {stack.ExitCode}: {await stderr}");
    }

    // SIGTERM: the stack says it is stopping, prints nothing more and exits.
    private static async Task TerminateAsync(Process stack)
    {
        await CliProcess.SignalAsync(stack.Id, "TERM");
        Assert.Equal(["grainpool stack stopping"], await ReadToEndAsync(stack.StandardOutput));
        using var deadline = new CancellationTokenSource(LineTimeout);
        await stack.WaitForExitAsync(deadline.Token);
    }

    // Waits until Prometheus has exactly this many active silo targets (file-based discovery re-reads the targets file).
    private static async Task UntilTargetsAsync(Uri prometheus, int count)
    {
        using var http = new HttpClient();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var seen = -1;
        while (clock.Elapsed < LineTimeout)
        {
            using var targets = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(prometheus, "/api/v1/targets?state=active")));
            seen = targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Count(t => t.GetProperty("labels").TryGetProperty("job", out var job) && job.GetString() == GrainPool.Hosting.Launching.LocalPrometheus.SiloJob);
            if (seen == count)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        Assert.Fail($"Prometheus had {seen} silo targets, not {count}, after {LineTimeout.TotalSeconds:0} s");
    }

    private static async Task<List<string>> ReadUntilAsync(StreamReader reader, string last)
    {
        var lines = new List<string>();
        using var deadline = new CancellationTokenSource(LineTimeout);
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            lines.Add(line);
            if (line == last)
            {
                return lines;
            }
        }

        Assert.Fail($"The stack's output ended without '{last}': {string.Join(" | ", lines)}");
        return lines;
    }

    private static async Task<List<string>> ReadToEndAsync(StreamReader reader)
    {
        using var deadline = new CancellationTokenSource(LineTimeout);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
