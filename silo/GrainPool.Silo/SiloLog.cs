namespace GrainPool.Silo;

/// <summary>The silo host's log messages (event ids 1000-1099).</summary>
internal static partial class SiloLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Silo {Name} is active at {SiloAddress}: gateway port {GatewayPort}, HTTP {HttpUrl}, {Cores} worker cores, {ClusterSilos} active silo(s) in cluster {ClusterId}")]
    public static partial void SiloReady(ILogger logger, string name, string siloAddress, int gatewayPort, string httpUrl, int cores, int clusterSilos, string clusterId);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Silo {Name} is stopping: chunks in flight may take up to {ShutdownTimeout} to finish before the silo leaves the cluster")]
    public static partial void SiloStopping(ILogger logger, string name, TimeSpan shutdownTimeout);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Launcher process {ParentProcessId} has exited; stopping silo {Name}")]
    public static partial void ParentExited(ILogger logger, int parentProcessId, string name);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Silo {Name} is a secondary of the primary silo at 127.0.0.1:{PrimarySiloPort}, which must stay up while this silo runs")]
    public static partial void Secondary(ILogger logger, string name, int primarySiloPort);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug,
        Message = "Silo {Name} found the primary silo listening at 127.0.0.1:{PrimarySiloPort} after {WaitedMs:0} ms")]
    public static partial void PrimaryAnswered(ILogger logger, string name, int primarySiloPort, double waitedMs);
}
