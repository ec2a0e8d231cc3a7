using Microsoft.Extensions.Options;

namespace GrainPool.Hosting;

/// <summary>
/// Says at start what protects this silo: a warning when it listens beyond loopback with a dashboard that has no
/// credential (the dashboard then answers local requests only), and whether silo and gateway connections use TLS.
/// </summary>
internal sealed partial class SiloSecurityReport(IOptions<GrainPoolSiloOptions> options, ILogger<SiloSecurityReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (SiloSecurity.ListensBeyondLoopback(settings) && settings.Dashboard != GrainPoolSiloOptions.DashboardOff && settings.DashboardUser is null)
        {
            LogDashboardWithoutCredential(logger, settings.EffectiveName, settings.ListenAddress);
        }

        if (settings.UsesTls)
        {
            LogTls(logger, settings.EffectiveName, settings.TlsCertificate!, settings.TlsTrust);
        }
        else if (SiloSecurity.ListensBeyondLoopback(settings))
        {
            LogNoTls(logger, settings.EffectiveName, settings.ListenAddress);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
