using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Silo.Launching;

namespace GrainPool.Cli.Tests;

/// <summary><c>--metrics-port</c>: a Prometheus scrape of the running command shows the client's and the embedded silo's meters.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class MetricsPortTests
{
    [Fact]
    public async Task A_running_job_serves_the_client_and_embedded_silo_metrics_on_the_metrics_port()
    {
        var port = FreeTcpPorts.Pick(1)[0];
        using var process = CliProcess.Start("primes", "count", "--to", "1e11", "--json", "--metrics-port", port.ToString(CultureInfo.InvariantCulture));
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        // Like a Prometheus that was already scraping: connections arrive while the command starts its endpoint. The
        // HttpListener exporter used before failed to start now and then under this ("Value cannot be null").
        using var knocking = new CancellationTokenSource();
        var knocker = KnockUntilCancelledAsync(port, knocking.Token);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var url = new Uri($"http://127.0.0.1:{port}/metrics");

        string? during = null;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (during is null && !process.HasExited && DateTime.UtcNow < deadline)
        {
            try
            {
                var scrape = await http.GetStringAsync(url);
                if (scrape.Split('\n').Any(l => l.StartsWith("grainpool_client_jobs_running{", StringComparison.Ordinal) && l.EndsWith("kind=\"range\"} 1", StringComparison.Ordinal)))
                {
                    during = scrape;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // No answer within the client's 5 s (both cores busy with the job and the other test assemblies' work):
                // ask again until the deadline.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        await knocking.CancelAsync();
        await knocker;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        using (var json = System.Text.Json.JsonDocument.Parse(await stdout))
        {
            Assert.Equal(Reference.Pi(100_000_000_000), json.RootElement.GetProperty("count").GetUInt64());
        }

        Assert.NotNull(during);
        Assert.Contains("grainpool_client_jobs_started_total{otel_scope_name=\"GrainPool.Client\"", during, StringComparison.Ordinal);
        Assert.Contains("kernel=\"prime-count/sieve\"", during, StringComparison.Ordinal);
        Assert.Contains("grainpool_cores_advertised{otel_scope_name=\"GrainPool\",silo=\"embedded\"}", during, StringComparison.Ordinal);
        Assert.Contains("grainpool_worker_busy_seconds_total{", during, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metrics_port_in_use_is_a_usage_error_naming_the_port()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        var result = await CliProcess.RunAsync("is-prime", "7", "--metrics-port", port);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var error = Assert.Single(result.StderrLines);
        Assert.StartsWith(CliResult.ErrorPrefix + "--metrics-port: '" + port + "' cannot be served (", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Opens TCP connections to the port back to back until one is accepted (or until cancelled), so that connections
    /// arrive while the endpoint starts; then drops it.
    /// </summary>
    private static Task KnockUntilCancelledAsync(int port, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    });
}
