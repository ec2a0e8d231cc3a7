namespace GrainPool.Hosting.Wire;

// Event ids 1050-1059: the wire limits (the silo host's messages are 1000-1099).
internal sealed partial class InboundConnectionGuard
{
    [LoggerMessage(EventId = 1050, Level = LogLevel.Warning,
        Message = "Refused {Count} connection(s) on the {Port} port {PortNumber}: {MaxConnections} connections were open, the most GrainPool:Silo:MaxConnectionsPerPort (--max-connections) allows (at most one such line per {IntervalSeconds} s)")]
    private static partial void LogRefused(ILogger logger, long count, string port, int portNumber, int maxConnections, double intervalSeconds);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Information,
        Message = "Closed {Count} connection(s) on the {Port} port {PortNumber} that did not deliver an Orleans connection preamble within {TimeoutSeconds} s (GrainPool:Silo:HandshakeTimeoutSeconds, --handshake-timeout)")]
    private static partial void LogHandshakeTimeout(ILogger logger, long count, string port, int portNumber, double timeoutSeconds);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Information,
        Message = "Closed {Count} connection(s) on the {Port} port {PortNumber} that moved no bytes for {TimeoutSeconds} s (GrainPool:Silo:IdleTimeoutSeconds, --idle-timeout)")]
    private static partial void LogIdleTimeout(ILogger logger, long count, string port, int portNumber, double timeoutSeconds);
}
