using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GrainPool.Load.Metrics;

/// <summary>
/// Serves a load test's <see cref="LoadMetrics"/> at <c>http://127.0.0.1:PORT/metrics</c> in Prometheus' text format
/// while the test runs, the way the silos and the grainpool command serve theirs (Kestrel with
/// OpenTelemetry.Exporter.Prometheus.AspNetCore). The resource names the service <c>grainpool-load</c> and the
/// instance by the run (Prometheus' <c>target_info</c>).
/// </summary>
/// <example>
/// <code>
/// await using var endpoint = await LoadMetricsEndpoint.StartAsync("nightly", port: 9465);
/// var result = await LoadRunner.RunAsync(scenario, new LoadRunOptions { OnInterval = endpoint.Metrics.Observe });
/// </code>
/// </example>
public sealed class LoadMetricsEndpoint : IAsyncDisposable
{
    /// <summary>The scrape path.</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>The OpenTelemetry service name in the resource (<c>service_name</c> of <c>target_info</c>).</summary>
    public const string ServiceName = "grainpool-load";

    private readonly WebApplication _app;

    private LoadMetricsEndpoint(WebApplication app, LoadMetrics metrics, Uri url)
    {
        _app = app;
        Metrics = metrics;
        Url = url;
    }

    /// <summary>The instruments to feed (<see cref="LoadMetrics.Observe"/>); disposed with the endpoint.</summary>
    public LoadMetrics Metrics { get; }

    /// <summary>The scrape address, e.g. <c>http://127.0.0.1:9465/metrics</c> (with the port really bound when 0 was asked).</summary>
    public Uri Url { get; }

    /// <summary>
    /// Starts serving on 127.0.0.1:<paramref name="port"/> (0: a free port the system picks) and returns once the
    /// port is bound.
    /// </summary>
    /// <param name="run">The run's name: the <c>run</c> tag of every series and the service instance.</param>
    /// <param name="port">The loopback port; 0 picks a free one (see <see cref="Url"/>).</param>
    /// <param name="cancellationToken">Stops waiting for the start.</param>
    /// <exception cref="IOException">The port is in use (Kestrel's error, naming the address).</exception>
    public static async Task<LoadMetricsEndpoint> StartAsync(string run, int port = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(run);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);

        // The empty builder reads no configuration (no appsettings.json, no ASPNETCORE_URLS) and logs nothing: the
        // endpoint is exactly the one asked for, as the grainpool command's --metrics-port.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>(); // Ctrl+C stays the calling program's
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(services => new LoadMetrics(run, services.GetRequiredService<IMeterFactory>()));
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: run))
            .WithMetrics(metrics => metrics.AddMeter(LoadMetrics.MeterName)
                // No cached response: a scrape that starts after an interval was observed serves that interval.
                .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
        var app = builder.Build();
        app.UseRouting();
        app.MapPrometheusScrapingEndpoint(ScrapePath);
        try
        {
            // Created before the start, so that the meter exists (and its series from the first Observe) whatever the order.
            var metrics = app.Services.GetRequiredService<LoadMetrics>();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var bound = app.Urls.Single();
            return new LoadMetricsEndpoint(app, metrics, new Uri(new Uri(bound), ScrapePath));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops serving and disposes the instruments.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    // The host neither listens for Ctrl+C nor stops the process: the load test's program owns both.
    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
