using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Connections;
using Orleans.Configuration;

namespace GrainPool.Hosting.Wire;

/// <summary>Puts the wire limits (<see cref="WireLimits"/>) on the silo's Orleans ports.</summary>
internal static class WireLimitsExtensions
{
    /// <summary>
    /// Adds an <see cref="InboundConnectionGuard"/> to inbound silo and gateway connections: its connection limit first
    /// in each connection's middleware, its handshake and idle watch last.
    /// </summary>
    public static ISiloBuilder AddGrainPoolWireLimits(this ISiloBuilder silo, GrainPoolSiloOptions options)
    {
        var limits = WireLimits.From(options);
        silo.Services.AddSingleton(services =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<InboundConnectionGuard>();
            var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
            InboundConnectionGuard? siloGuard = null, gatewayGuard = null;
            var instruments = new WireInstruments(services.GetService<IMeterFactory>(), options.EffectiveName,
                () => [(siloGuard!.Port, siloGuard.Open), (gatewayGuard!.Port, gatewayGuard.Open)]);
            siloGuard = new InboundConnectionGuard("silo", options.SiloPort, limits, instruments, time, logger);
            gatewayGuard = new InboundConnectionGuard("gateway", options.GatewayPort, limits, instruments, time, logger);
            return new InboundConnectionGuards(siloGuard, gatewayGuard);
        });
        // Orleans builds a listener's middleware at its first connection; made at start instead, the guards publish
        // their gauge (0) on a silo that nothing has connected to yet.
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<InboundConnectionGuards>());

        // Connection middleware runs in the order it is added. The limit is added now, ahead of what a silo program adds after GrainPool's setup;
        // the watch after every other configuration (post-configure), so that it reads the bytes Orleans reads, after
        // TLS (Microsoft.Orleans.Connections.Security) or any other middleware that transforms them, wherever that was added.
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(builder => builder.Use(Guards(builder).Silo.LimitMiddleware));
            connections.ConfigureGatewayInboundConnection(builder => builder.Use(Guards(builder).Gateway.LimitMiddleware));
        });
        silo.Services.PostConfigure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(builder => builder.Use(Guards(builder).Silo.WatchMiddleware));
            connections.ConfigureGatewayInboundConnection(builder => builder.Use(Guards(builder).Gateway.WatchMiddleware));
        });
        return silo;
    }

    private static InboundConnectionGuards Guards(IConnectionBuilder builder) => builder.ApplicationServices.GetRequiredService<InboundConnectionGuards>();
}

/// <summary>The guards of the silo port and the gateway port.</summary>
internal sealed record InboundConnectionGuards(InboundConnectionGuard Silo, InboundConnectionGuard Gateway) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Nothing to do at any stage: taking part only gets the guards made when the silo starts.</summary>
    public void Participate(ISiloLifecycle observer)
    {
    }
}
