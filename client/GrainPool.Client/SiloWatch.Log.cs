using Microsoft.Extensions.Logging;

namespace GrainPool.Client;

internal sealed partial class SiloWatch
{
    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning,
        Message = "Silo {Silo} is gone ({Reason}); its {Pending} pending calls run again elsewhere")]
    private static partial void LogSiloGone(ILogger logger, string silo, string reason, int pending);

    [LoggerMessage(EventId = 3017, Level = LogLevel.Information,
        Message = "Silo {Silo} did not answer a ping within {Seconds} s; it takes no new chunks for a while")]
    private static partial void LogPingUnanswered(ILogger logger, string silo, double seconds);

    [LoggerMessage(EventId = 3018, Level = LogLevel.Debug, Message = "Reading the cluster's membership failed ({ErrorType}: {ErrorMessage}); trying again")]
    private static partial void LogMembershipReadFailed(ILogger logger, string errorType, string errorMessage);
}
