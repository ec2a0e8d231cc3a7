using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests;

/// <summary><c>--metrics-port</c>: a Prometheus scrape of the running command shows the client's and the embedded silo's meters.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class MetricsPortTests
{
    // 10^15 by the sieve is hours of work on any machine: the job is still running whenever the scrape comes, and the
    // test ends it with Ctrl+C (SIGINT through kill(1)).
    [LinuxFact]
    public async Task A_running_job_serves_the_client_and_embedded_silo_metrics_on_the_metrics_port()
    {
        var port = FreeTcpPorts.Pick(1)[0];

        // Like a Prometheus that was already scraping: connections arrive while the command starts its endpoint. The
        // HttpListener exporter used before failed to start now and then under this ("Value cannot be null").
        using var knocking = new CancellationTokenSource();
        var knocker = KnockUntilCancelledAsync(port, knocking.Token);
        string during;
        try
        {
            during = await ScrapeThenInterruptAsync(port, ["primes", "count", "--to", "1e15", "--json"]);
        }
        finally
        {
            await knocking.CancelAsync();
            await knocker;
        }

        Assert.Contains("kernel=\"prime-count/sieve\"", during, StringComparison.Ordinal);
        Assert.Contains("grainpool_cores_advertised{otel_scope_name=\"GrainPool\",silo=\"embedded\"}", during, StringComparison.Ordinal);
        Assert.Contains("grainpool_worker_busy_seconds_total{", during, StringComparison.Ordinal);
    }

    // With --silos the silos' meters are theirs (each serves its own /metrics); the command's port serves the client's.
    [LinuxFact]
    public async Task With_silo_processes_the_metrics_port_serves_the_client_metrics_while_the_job_runs()
    {
        var port = FreeTcpPorts.Pick(1)[0];
        // Two lanes per worker keep chunks in flight on both silos for as long as the job runs (hours).
        IReadOnlyDictionary<int, string> silos = new Dictionary<int, string>();
        var during = await ScrapeThenInterruptAsync(
            port,
            ["--silos", "2", "primes", "count", "--to", "1e15"],
            scrape => ClientChunksInFlight(scrape) >= 2,
            process => silos = SiloProcesses.ChildrenOf(process.Id));

        Assert.True(ClientChunksInFlight(during) >= 2, "fewer than two chunks in flight on two silo processes:\n" + during);
        Assert.DoesNotContain("silo=\"embedded\"", during, StringComparison.Ordinal);
        Assert.Equal(2, silos.Count);
        Assert.All(silos, silo => Assert.False(SiloProcesses.IsRunning(silo.Key, silo.Value), $"silo process {silo.Key} outlived grainpool"));
    }

    /// <summary>
    /// Runs grainpool with <c>--metrics-port port</c> and <paramref name="args"/> (a job of hours), scrapes until the job
    /// shows running (see <see cref="ScrapeWhileRunningAsync"/>), hands the running process to <paramref name="whileRunning"/>,
    /// ends it with Ctrl+C and checks that it reported the cancel and nothing else; returns the scrape.
    /// </summary>
    internal static async Task<string> ScrapeThenInterruptAsync(
        int port, string[] args, Func<string, bool>? alsoShows = null, Action<System.Diagnostics.Process>? whileRunning = null)
    {
        using var process = CliProcess.Start([.. args, "--metrics-port", port.ToString(CultureInfo.InvariantCulture)]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        string during;
        try
        {
            during = await ScrapeWhileRunningAsync(process, port, alsoShows);
            whileRunning?.Invoke(process);
            await CliProcess.InterruptAsync(process);
        }
        finally
        {
            CliProcess.KillIfRunning(process);
        }

        Assert.Equal(string.Empty, await stdout);
        Assert.Equal("grainpool: cancelled", (await stderr).TrimEnd());
        Assert.Contains("grainpool_client_jobs_started_total{otel_scope_name=\"GrainPool.Client\"", during, StringComparison.Ordinal);
        return during;
    }

    /// <summary>
    /// Scrapes http://127.0.0.1:port/metrics until it shows one range job running, and whatever else
    /// <paramref name="alsoShows"/> asks for (the job cannot have ended: the tests give it hours of work); returns that scrape.
    /// </summary>
    private static async Task<string> ScrapeWhileRunningAsync(System.Diagnostics.Process process, int port, Func<string, bool>? alsoShows = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var url = new Uri($"http://127.0.0.1:{port}/metrics");
        string? during = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (during is null)
        {
            Assert.False(process.HasExited, "grainpool ended before its metrics showed the job running");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), "no scrape showed the job running within 120 s");
            try
            {
                var scrape = await http.GetStringAsync(url);
                if (scrape.Split('\n').Any(l => l.StartsWith("grainpool_client_jobs_running{", StringComparison.Ordinal) && l.EndsWith("kind=\"range\"} 1", StringComparison.Ordinal))
                    && (alsoShows is null || alsoShows(scrape)))
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

        return during;
    }

    private static long ClientChunksInFlight(string scrape) => scrape.Split('\n')
        .Where(l => l.StartsWith("grainpool_client_chunks_in_flight{", StringComparison.Ordinal))
        .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

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
