using System.Net.Sockets;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Client;
using GrainPool.Silo;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GrainPool.Cli;

/// <summary>
/// <c>--metrics-port P</c>: serves the client library's meter at <c>http://127.0.0.1:P/metrics</c> in Prometheus'
/// text format while the command runs, and in embedded mode the silo's meters too (the silo lives in this process).
/// </summary>
internal static class CliMetrics
{
    public static MeterProvider? Start(GlobalOptions options)
    {
        if (options.MetricsPort is not { } port)
        {
            return null;
        }

        string[] meters = options.Mode == RunnerMode.Embedded ? [ClientMetrics.MeterName, .. SiloMetrics.Meters] : [ClientMetrics.MeterName];
        try
        {
            return Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService("grainpool-cli"))
                .AddMeter(meters)
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = "127.0.0.1";
                    o.Port = port;
                })
                .Build();
        }
        catch (Exception ex) when (ex is System.Net.HttpListenerException or SocketException or InvalidOperationException)
        {
            throw new UsageException($"{GlobalOptions.MetricsPortOption}: '{port}' cannot be served ({ex.GetBaseException().Message})");
        }
    }
}
