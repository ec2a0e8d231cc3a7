using System.Globalization;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Silo.Launching;

namespace GrainPool.Cli.Tests;

/// <summary><c>--metrics-port</c>: a Prometheus scrape of the running command shows the client's and the embedded silo's meters.</summary>
public sealed class MetricsPortTests
{
    [Fact]
    public async Task A_running_job_serves_the_client_and_embedded_silo_metrics_on_the_metrics_port()
    {
        var port = FreeTcpPorts.Pick(1)[0];
        using var process = CliProcess.Start("primes", "count", "--to", "1e11", "--json", "--metrics-port", port.ToString(CultureInfo.InvariantCulture));
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
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
}
