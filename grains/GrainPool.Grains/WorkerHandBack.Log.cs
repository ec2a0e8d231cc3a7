using Microsoft.Extensions.Logging;

namespace GrainPool.Grains;

internal sealed partial class WorkerHandBack
{
    [LoggerMessage(EventId = 1120, Level = LogLevel.Information,
        Message = "Silo is stopping: handing back its {Running} running chunk(s) at their next slice, and refusing new ones, to run on other silos")]
    private static partial void LogHandingBack(ILogger logger, long running);
}
