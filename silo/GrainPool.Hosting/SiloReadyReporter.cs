using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace GrainPool.Hosting;

/// <summary>
/// Prints the <see cref="SiloReadyLine"/> once the host has started (Kestrel listens) and the membership view shows
/// the local silo Active, and the stopped line after the host has stopped (the silo has left the cluster).
/// </summary>
internal sealed partial class SiloReadyReporter(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<GrainPoolSiloOptions> options,
    ILogger<SiloReadyReporter> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        lifetime.ApplicationStopping.Register(() => LogSiloStopping(logger, settings.EffectiveName, TimeSpan.FromSeconds(settings.ShutdownTimeoutSeconds)));
        lifetime.ApplicationStopped.Register(() => Console.Out.WriteLine(SiloReadyLine.Stopped(settings.EffectiveName)));
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (snapshot.GetSiloStatus(localSilo.SiloAddress) == SiloStatus.Active)
                {
                    await ReportReadyAsync(snapshot, stoppingToken);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped (or failed to start) before the silo became Active: there is nothing to report.
        }
    }

    private async Task ReportReadyAsync(ClusterMembershipSnapshot snapshot, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var ready = new SiloReadyLine(
            settings.EffectiveName,
            localSilo.SiloAddress.Endpoint.ToString(),
            localSilo.GatewayAddress?.Endpoint.Port ?? settings.GatewayPort,
            HttpUrl(),
            settings.AdvertisedCores);
        var clusterSilos = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        LogSiloReady(logger, ready.Name, localSilo.SiloAddress.ToString(), ready.GatewayPort, ready.HttpUrl.ToString(), ready.Cores, clusterSilos, settings.ClusterId);
        if (!settings.UsesRedis && !settings.IsPrimary)
        {
            LogSecondary(logger, ready.Name, settings.EffectivePrimarySiloPort);
        }

        await Console.Out.WriteLineAsync(ready.ToString());
        await Console.Out.FlushAsync(stoppingToken);
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(started.SetResult);
        return started.Task.WaitAsync(stoppingToken);
    }

    // Kestrel reports the bound address (with the real port when HttpPort is 0); a wildcard bind is reachable on loopback.
    private Uri HttpUrl()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reports no listening address.");
        var url = new UriBuilder(address);
        if (url.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*")
        {
            url.Host = "127.0.0.1";
        }

        return new Uri(url.Uri.GetLeftPart(UriPartial.Authority));
    }
}
