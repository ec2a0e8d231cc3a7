using GrainPool.Grains;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GrainPool.Hosting;

/// <summary>The silo's metrics: what it exports on <c>GET /metrics</c> in Prometheus' text format.</summary>
public static class SiloMetrics
{
    /// <summary>The scrape path.</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>
    /// The meters a silo exports: Orleans' own (activations, messaging, request latency), the .NET runtime's (CPU time,
    /// GC, thread pool queue; built into .NET 9+ as <c>System.Runtime</c>), and GrainPool's (<see cref="WorkerActivity.MeterName"/>).
    /// </summary>
    public static readonly IReadOnlyList<string> Meters = ["Microsoft.Orleans", "System.Runtime", WorkerActivity.MeterName];

    /// <summary>
    /// Adds OpenTelemetry metrics with the Prometheus exporter. The resource names the service <c>grainpool-silo</c>
    /// and the instance by the silo's name (Prometheus' <c>target_info</c>).
    /// </summary>
    public static IServiceCollection AddGrainPoolSiloMetrics(this IServiceCollection services, GrainPoolSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("grainpool-silo", serviceInstanceId: options.EffectiveName)
                .AddAttributes([new("grainpool.cluster", options.ClusterId)]))
            .WithMetrics(metrics => metrics
                .AddMeter([.. Meters])
                .AddPrometheusExporter());
        return services;
    }
}
