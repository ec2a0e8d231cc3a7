using System.Globalization;
using GrainPool.Cli.Commands;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Silo.Launching;

namespace GrainPool.Cli.Tests;

/// <summary><c>grainpool silo</c>: a silo in the foreground that other grainpool commands join with --cluster.</summary>
public sealed class SiloCommandTests
{
    [Fact]
    public async Task Silo_command_runs_a_silo_that_jobs_join_and_ctrl_c_stops_it()
    {
        var ports = FreeTcpPorts.Pick(2);
        var clusterId = "cli-test-" + Guid.NewGuid().ToString("N")[..8];
        string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
        using var silo = CliProcess.Start(
            "silo", "--silo-port", Text(ports[0]), "--gateway-port", Text(ports[1]), "--http-port", "0", "--cores", "1",
            "--cluster-id", clusterId, "--name", "foreground");
        var log = silo.StandardError.ReadToEndAsync();
        try
        {
            var ready = await ReadLineStartingWithAsync(silo.StandardOutput, "grainpool-silo ready ", TimeSpan.FromSeconds(60));
            Assert.Contains("name=foreground", ready, StringComparison.Ordinal);
            Assert.Contains($"gateway={ports[1]}", ready, StringComparison.Ordinal);

            var json = (await CliProcess.RunAsync("--cluster", $"127.0.0.1:{ports[1]}", "--cluster-id", clusterId, "square-sum", "--n", "1e7", "--json")).Json();
            Assert.Equal("333333283333335000000", json.GetProperty("sum").GetString());
            Assert.Equal("remote", json.GetProperty("mode").GetString());
            Assert.Equal(1, json.GetProperty("silos").GetInt32());
            Assert.Equal(1, json.GetProperty("workers").GetInt32());

            if (OperatingSystem.IsLinux())
            {
                await CliProcess.SignalAsync(silo.Id, "INT");

                var stopped = await ReadLineStartingWithAsync(silo.StandardOutput, "grainpool-silo stopped ", TimeSpan.FromSeconds(60));
                Assert.Equal("grainpool-silo stopped name=foreground", stopped);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await silo.WaitForExitAsync(deadline.Token);
                Assert.Equal(0, silo.ExitCode);
            }
        }
        finally
        {
            if (!silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
            }

            await log;
        }
    }

    [Fact]
    public async Task Silo_settings_come_from_environment_variables_and_the_command_line_overrides_them()
    {
        var ports = FreeTcpPorts.Pick(2);
        var clusterId = "cli-test-" + Guid.NewGuid().ToString("N")[..8];
        string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>
        {
            ["GrainPool__Silo__AdvertisedCores"] = "3",
            ["GrainPool__Silo__Name"] = "from-environment",
            ["GrainPool__Silo__ClusterId"] = clusterId,
        };
        using var silo = CliProcess.Start(
            environment, "silo", "--silo-port", Text(ports[0]), "--gateway-port", Text(ports[1]), "--http-port", "0", "--name", "from-command-line");
        var log = silo.StandardError.ReadToEndAsync();
        try
        {
            var ready = await ReadLineStartingWithAsync(silo.StandardOutput, "grainpool-silo ready ", TimeSpan.FromSeconds(60));
            Assert.Contains("name=from-command-line ", ready, StringComparison.Ordinal);
            Assert.EndsWith(" cores=3", ready, StringComparison.Ordinal);

            // /healthz of the running silo: ready, with the settings it runs with.
            var http = ready.Split(' ').Single(part => part.StartsWith("http=", StringComparison.Ordinal))["http=".Length..];
            using var client = new HttpClient();
            using var response = await client.GetAsync(new Uri(new Uri(http), "/healthz"));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            using var health = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("ready", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("from-command-line", health.RootElement.GetProperty("name").GetString());
            Assert.Equal(3, health.RootElement.GetProperty("cores").GetInt32());

            // The cluster id came from the environment: a client must name it to join.
            var json = (await CliProcess.RunAsync("--cluster", $"127.0.0.1:{ports[1]}", "--cluster-id", clusterId, "square-sum", "--n", "1e6", "--json")).Json();
            Assert.Equal(3, json.GetProperty("workers").GetInt32());
        }
        finally
        {
            if (!silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
            }

            await log;
        }
    }

    [Fact]
    public async Task A_silo_stopped_with_sigterm_in_the_middle_of_a_job_leaves_and_the_job_finishes_exactly_on_the_other()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // SIGTERM through kill(1)
        }

        var ports = FreeTcpPorts.Pick(4);
        var clusterId = "cli-test-" + Guid.NewGuid().ToString("N")[..8];
        string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
        using var primary = CliProcess.Start(
            "silo", "--silo-port", Text(ports[0]), "--gateway-port", Text(ports[1]), "--http-port", "0", "--cores", "1", "--cluster-id", clusterId, "--name", "staying");
        using var leaving = CliProcess.Start(
            "silo", "--silo-port", Text(ports[2]), "--gateway-port", Text(ports[3]), "--http-port", "0", "--cores", "1", "--cluster-id", clusterId, "--name", "leaving",
            "--primary-port", Text(ports[0]));
        var logs = new[] { primary.StandardError.ReadToEndAsync(), leaving.StandardError.ReadToEndAsync() };
        try
        {
            await ReadLineStartingWithAsync(primary.StandardOutput, "grainpool-silo ready ", TimeSpan.FromSeconds(60));
            var leavingReady = await ReadLineStartingWithAsync(leaving.StandardOutput, "grainpool-silo ready ", TimeSpan.FromSeconds(60));
            var leavingHttp = new Uri(leavingReady.Split(' ').Single(part => part.StartsWith("http=", StringComparison.Ordinal))["http=".Length..]);

            // pi(10^11) by the sieve: about 10 s of work on these two silos, in chunks of about a second.
            using var job = CliProcess.Start("--cluster", $"127.0.0.1:{ports[1]},127.0.0.1:{ports[3]}", "--cluster-id", clusterId, "primes", "count", "--to", "1e11", "--json");
            var stdout = job.StandardOutput.ReadToEndAsync();
            var stderr = job.StandardError.ReadToEndAsync();
            using var http = new HttpClient();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!(await http.GetStringAsync(new Uri(leavingHttp, "/metrics"))).Split('\n').Any(l => l.StartsWith("grainpool_chunks_running{", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal)))
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60) && !job.HasExited, "no chunk ran on the silo that was to leave");
                await Task.Delay(50);
            }

            await CliProcess.SignalAsync(leaving.Id, "TERM");

            var stopped = await ReadLineStartingWithAsync(leaving.StandardOutput, "grainpool-silo stopped ", TimeSpan.FromSeconds(60));
            Assert.Equal("grainpool-silo stopped name=leaving", stopped);
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await leaving.WaitForExitAsync(deadline.Token);
            }

            Assert.Equal(0, leaving.ExitCode);
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                await job.WaitForExitAsync(deadline.Token);
            }

            Assert.True(job.ExitCode == 0, await stderr);
            using var json = System.Text.Json.JsonDocument.Parse(await stdout);
            Assert.Equal(Reference.Pi(100_000_000_000), json.RootElement.GetProperty("count").GetUInt64());
            Assert.Equal(2, json.RootElement.GetProperty("silos").GetInt32());
        }
        finally
        {
            foreach (var silo in new[] { primary, leaving })
            {
                if (!silo.HasExited)
                {
                    silo.Kill(entireProcessTree: true);
                }
            }

            await Task.WhenAll(logs);
        }
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
        Assert.StartsWith("Usage: grainpool silo", help, StringComparison.Ordinal);
        foreach (var flag in new[] { "--silo-port", "--gateway-port", "--primary-port", "--cores", "--cluster-id" })
        {
            Assert.Contains(flag, help, StringComparison.Ordinal);
        }
    }

    private static async Task<string> ReadLineStartingWithAsync(StreamReader reader, string prefix, TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
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
