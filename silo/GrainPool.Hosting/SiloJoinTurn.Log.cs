namespace GrainPool.Hosting;

internal sealed partial class SiloJoinTurn
{
    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Silo {Name} took its turn at the membership table after waiting {WaitedMs:0} ms")]
    private static partial void LogTurnTaken(ILogger logger, string name, double waitedMs);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Silo {Name} ended its turn at the membership table after {HeldMs:0} ms")]
    private static partial void LogTurnReleased(ILogger logger, string name, double heldMs);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning,
        Message = "Silo {Name} did not get its turn at the membership table (lock file {LockFile}) within {MaxWaitSeconds} s and writes without it")]
    private static partial void LogTurnNotTaken(ILogger logger, string name, string lockFile, double maxWaitSeconds);
}
