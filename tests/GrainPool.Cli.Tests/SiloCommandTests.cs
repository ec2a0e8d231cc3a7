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
