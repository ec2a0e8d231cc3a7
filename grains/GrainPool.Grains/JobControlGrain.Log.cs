using Microsoft.Extensions.Logging;

namespace GrainPool.Grains;

public sealed partial class JobControlGrain
{
    [LoggerMessage(EventId = 1110, Level = LogLevel.Information,
        Message = "Job {Job} cancelled on silo {Silo}: its chunks here stop at their next slice, later ones are refused")]
    private static partial void LogJobCancelled(ILogger logger, Guid job, string silo);
}
