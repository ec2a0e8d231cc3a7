namespace GrainPool.Hosting;

internal sealed partial class ParentProcessWatcher
{
    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Launcher process {ParentProcessId} has exited; stopping silo {Name}")]
    private static partial void LogParentExited(ILogger logger, int parentProcessId, string name);
}
