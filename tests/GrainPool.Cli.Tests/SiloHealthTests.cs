using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GrainPool.Hosting;
using GrainPool.Hosting.Launching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace GrainPool.Cli.Tests;

/// <summary>
/// <c>GET /healthz</c> as silo/GrainPool.Silo/README.md documents it: <c>ready</c> 200, <c>joining</c> and
/// <c>shutting-down</c> 503, body <c>{"status","silo","name","cores","clusterSilos","clusterSlots"}</c>, served by ASP.NET
/// Core health checks.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class SiloHealthTests
{
    // The README's table: Active is ready; before Active, joining; from the stop on (or once the table says it is
    // leaving or dead), shutting-down.
    [Theory]
    [InlineData(SiloStatus.None, false, "joining")]
    [InlineData(SiloStatus.Created, false, "joining")]
    [InlineData(SiloStatus.Joining, false, "joining")]
    [InlineData(SiloStatus.Active, false, "ready")]
    [InlineData(SiloStatus.ShuttingDown, false, "shutting-down")]
    [InlineData(SiloStatus.Stopping, false, "shutting-down")]
    [InlineData(SiloStatus.Dead, false, "shutting-down")]
    [InlineData(SiloStatus.Active, true, "shutting-down")]
    [InlineData(SiloStatus.Joining, true, "shutting-down")]
    public void The_status_follows_the_silos_membership_and_the_hosts_stop(SiloStatus status, bool hostStopping, string expected) =>
        Assert.Equal(expected, SiloStatusProbe.StateOf(status, hostStopping));

    [Theory]
    [InlineData("ready", HttpStatusCode.OK)]
    [InlineData("joining", HttpStatusCode.ServiceUnavailable)]
    [InlineData("shutting-down", HttpStatusCode.ServiceUnavailable)]
    public async Task Healthz_answers_each_status_with_its_code_and_the_documented_body(string status, HttpStatusCode code)
    {
        var report = new SiloHealthReport(status, "S127.0.0.1:11111:1", "silo-11111", 2, 1, 2);
        await using var app = await StartHealthEndpointAsync(new FixedCheck(SiloHealthCheck.ResultOf(report)));

        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri(Address(app), "/healthz"));

        Assert.Equal(code, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            ["status", "silo", "name", "cores", "clusterSilos", "clusterSlots"],
            body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(status, body.RootElement.GetProperty("status").GetString());
        Assert.Equal("S127.0.0.1:11111:1", body.RootElement.GetProperty("silo").GetString());
        Assert.Equal("silo-11111", body.RootElement.GetProperty("name").GetString());
        Assert.Equal(2, body.RootElement.GetProperty("cores").GetInt32());
        Assert.Equal(1, body.RootElement.GetProperty("clusterSilos").GetInt32());
        Assert.Equal(2, body.RootElement.GetProperty("clusterSlots").GetInt32());
    }

    private static async Task<WebApplication> StartHealthEndpointAsync(IHealthCheck check)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddHealthChecks().AddCheck(SiloHealthCheck.Name, check);
        var app = builder.Build();
        app.MapHealthChecks("/healthz", SiloHealthCheck.EndpointOptions());
        await app.StartAsync();
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private sealed class FixedCheck(HealthCheckResult result) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(result);
    }
}

/// <summary>The <c>joining</c> answer of <c>GET /healthz</c> from a real silo process.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class SiloHealthProcessTests
{
    // A real silo process whose primary is not up stays joining (it waits for the primary's port), and /healthz says so.
    [Fact]
    public async Task A_silo_process_waiting_for_its_primary_answers_joining_with_503()
    {
        var ports = FreeTcpPorts.Pick(4);
        var (siloPort, gatewayPort, httpPort, absentPrimary) = (ports[0], ports[1], ports[2], ports[3]);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(LocalSiloProcess.DefaultSiloAssemblyPath);
        foreach (var (flag, value) in new[] { ("--silo-port", siloPort), ("--gateway-port", gatewayPort), ("--http-port", httpPort), ("--primary-port", absentPrimary), ("--cores", 1) })
        {
            start.ArgumentList.Add(flag);
            start.ArgumentList.Add(value.ToString(CultureInfo.InvariantCulture));
        }

        start.ArgumentList.Add("--cluster-id");
        start.ArgumentList.Add("health-test-" + Guid.NewGuid().ToString("N")[..8]);
        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        using var silo = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = silo.StandardOutput.ReadToEndAsync();
        var stderr = silo.StandardError.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var health = new Uri($"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}/healthz");
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            HttpResponseMessage? response = null;
            while (response is null)
            {
                if (silo.HasExited)
                {
                    Assert.Fail("the silo exited before /healthz answered: " + await stderr);
                }

                try
                {
                    response = await client.GetAsync(health, deadline.Token);
                }
                catch (HttpRequestException)
                {
                    // Kestrel is not listening yet: ask again shortly.
                    await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
                }
            }

            using (response)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(deadline.Token));
                Assert.Equal("joining", body.RootElement.GetProperty("status").GetString());
                Assert.Equal(0, body.RootElement.GetProperty("clusterSilos").GetInt32());
                Assert.Equal(1, body.RootElement.GetProperty("cores").GetInt32());
            }

            // Never Active, so never the ready line.
            Assert.False(silo.HasExited);
        }
        finally
        {
            if (!silo.HasExited)
            {
                silo.Kill(entireProcessTree: true);
            }

            await silo.WaitForExitAsync();
            Assert.DoesNotContain("grainpool-silo ready", await stdout, StringComparison.Ordinal);
        }
    }
}
