using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GrainPool.Hosting;

/// <summary>
/// The silo's ASP.NET Core health check: healthy when the local silo is Active in its own membership view, unhealthy
/// while it is joining or shutting down. The <see cref="SiloHealthReport"/> travels in the result's data, and
/// <see cref="WriteResponseAsync"/> writes it as the body of <c>GET /healthz</c>.
/// </summary>
internal sealed class SiloHealthCheck(SiloStatusProbe probe) : IHealthCheck
{
    /// <summary>The check's registration name.</summary>
    public const string Name = "silo";

    /// <summary>The key of the <see cref="SiloHealthReport"/> in the result's data.</summary>
    public const string ReportKey = "report";

    /// <summary>The status codes of <c>/healthz</c>: 200 when ready, 503 otherwise.</summary>
    public static readonly IReadOnlyDictionary<HealthStatus, int> StatusCodes = new Dictionary<HealthStatus, int>
    {
        [HealthStatus.Healthy] = Microsoft.AspNetCore.Http.StatusCodes.Status200OK,
        [HealthStatus.Degraded] = Microsoft.AspNetCore.Http.StatusCodes.Status503ServiceUnavailable,
        [HealthStatus.Unhealthy] = Microsoft.AspNetCore.Http.StatusCodes.Status503ServiceUnavailable,
    };

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ResultOf(probe.Current()));

    /// <summary>The check's result for <paramref name="report"/>.</summary>
    public static HealthCheckResult ResultOf(SiloHealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var data = new Dictionary<string, object> { [ReportKey] = report };
        return report.IsReady
            ? HealthCheckResult.Healthy("The silo is Active in the cluster.", data)
            : HealthCheckResult.Unhealthy(report.Status == SiloHealthReport.Joining ? "The silo has not become Active yet." : "The silo is stopping.", data: data);
    }

    /// <summary>The <see cref="HealthCheckOptions"/> of <c>/healthz</c>: this check only, its report as the JSON body.</summary>
    public static HealthCheckOptions EndpointOptions()
    {
        var options = new HealthCheckOptions { Predicate = registration => registration.Name == Name, ResponseWriter = WriteResponseAsync };
        foreach (var (status, code) in StatusCodes)
        {
            options.ResultStatusCodes[status] = code;
        }

        return options;
    }

    /// <summary>Writes the silo's report as <c>{"status","silo","name","cores","clusterSilos","clusterSlots"}</c>.</summary>
    public static Task WriteResponseAsync(HttpContext context, HealthReport health)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(health);

        // A check that threw (or timed out) has no report: say so in the same shape rather than an empty body.
        var report = health.Entries.TryGetValue(Name, out var entry) && entry.Data.TryGetValue(ReportKey, out var data) && data is SiloHealthReport r
            ? r
            : new SiloHealthReport(SiloHealthReport.Joining, string.Empty, string.Empty, 0, 0, 0);
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, report, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
