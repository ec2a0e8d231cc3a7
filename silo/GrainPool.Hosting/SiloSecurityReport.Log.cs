namespace GrainPool.Hosting;

internal sealed partial class SiloSecurityReport
{
    [LoggerMessage(EventId = 1040, Level = LogLevel.Warning,
        Message = "Silo {Name} listens on {ListenAddress}, beyond loopback, and the Orleans Dashboard has no credential: it answers local requests only. Set GrainPool:Silo:DashboardUser (--dashboard-user) and a password (GrainPool__Silo__DashboardPassword or --dashboard-password-file), or --dashboard off")]
    private static partial void LogDashboardWithoutCredential(ILogger logger, string name, string listenAddress);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Information,
        Message = "Silo {Name} uses TLS on its silo and gateway connections with the certificate {Certificate}; peers are trusted by {Trust}")]
    private static partial void LogTls(ILogger logger, string name, string certificate, string trust);

    [LoggerMessage(EventId = 1042, Level = LogLevel.Warning,
        Message = "Silo {Name} listens on {ListenAddress}, beyond loopback, without TLS: anyone who reaches its silo and gateway ports can join the cluster or submit jobs. Set GrainPool:Silo:TlsCertificate (--tls-certificate) to require certificates")]
    private static partial void LogNoTls(ILogger logger, string name, string listenAddress);
}
