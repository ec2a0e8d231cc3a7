namespace GrainPool.Hosting;

internal sealed partial class PrimarySiloWait
{
    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug,
        Message = "Silo {Name} found the primary silo listening at 127.0.0.1:{PrimarySiloPort} after {WaitedMs:0} ms")]
    private static partial void LogPrimaryAnswered(ILogger logger, string name, int primarySiloPort, double waitedMs);
}
