using System.Net;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Client;
using GrainPool.Hosting;
using GrainPool.Load.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GrainPool.Cli;

/// <summary>
/// <c>--metrics-port P</c>: serves the client library's meter at <c>http://127.0.0.1:P/metrics</c> in Prometheus'
/// text format while the command runs, and in embedded mode the silo's meters too (the silo lives in this process); a
/// load test's statistics per reporting interval (<see cref="LoadMetrics"/>) while <c>grainpool load</c> runs.
/// </summary>
/// <remarks>
/// Served by Kestrel with the same exporter as the silo (OpenTelemetry.Exporter.Prometheus.AspNetCore). The
/// HttpListener exporter used before failed now and then with "Value cannot be null" when a scraper connected while
/// it started: the managed HttpListener on Linux accepts inside its constructor before its connection table exists
/// (dotnet/corefx#35191). A scraper that polls the port before the command is up is exactly what Prometheus does.
/// </remarks>
internal static class CliMetrics
{
    /// <summary>Starts serving, or returns null when <c>--metrics-port</c> was not given.</summary>
    /// <exception cref="UsageException">The port cannot be bound (in use, or not allowed); the message names it.</exception>
    public static async Task<IAsyncDisposable?> StartAsync(GlobalOptions options, CancellationToken cancellationToken)
    {
        if (options.MetricsPort is not { } port)
        {
            return null;
        }

        // The load commands' meter too: it has series only while a load test runs (grainpool load, LoadMetrics).
        string[] meters = options.Mode == RunnerMode.Embedded
            ? [ClientMetrics.MeterName, LoadMetrics.MeterName, .. SiloMetrics.Meters]
            : [ClientMetrics.MeterName, LoadMetrics.MeterName];

        // The empty builder reads no configuration (no appsettings.json from the working directory, no ASPNETCORE_URLS)
        // and logs nothing: the endpoint is exactly the one the option names.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedHostLifetime>(); // Ctrl+C stays the command's

        builder.Services.AddRoutingCore();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("grainpool-cli"))
            .WithMetrics(metrics => metrics.AddMeter(meters).AddPrometheusExporter());
        var app = builder.Build();
        app.UseRouting();
        app.MapPrometheusScrapingEndpoint(SiloMetrics.ScrapePath);
        try
        {
            await app.StartAsync(cancellationToken);
            return app;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            // In use (IOException from Kestrel), or not allowed or not available (SocketException).
            await app.DisposeAsync();
            throw new UsageException($"{GlobalOptions.MetricsPortOption}: '{port}' cannot be served ({ex.GetBaseException().Message})");
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
