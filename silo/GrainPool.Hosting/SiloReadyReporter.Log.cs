namespace GrainPool.Hosting;

// The silo host's log messages use event ids 1000-1099 (the grains' use 1100-1199).
internal sealed partial class SiloReadyReporter
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Silo {Name} is active at {SiloAddress}: gateway port {GatewayPort}, HTTP {HttpUrl}, {Cores} worker cores, {ClusterSilos} active silo(s) in cluster {ClusterId}")]
    private static partial void LogSiloReady(ILogger logger, string name, string siloAddress, int gatewayPort, string httpUrl, int cores, int clusterSilos, string clusterId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Silo {Name} is stopping: chunks in flight may take up to {ShutdownTimeout} to finish before the silo leaves the cluster")]
    private static partial void LogSiloStopping(ILogger logger, string name, TimeSpan shutdownTimeout);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Silo {Name} is a secondary of the primary silo at 127.0.0.1:{PrimarySiloPort}, which must stay up while this silo runs")]
    private static partial void LogSecondary(ILogger logger, string name, int primarySiloPort);
}
