using Microsoft.Extensions.Logging;

namespace GrainPool.Client;

internal sealed partial class SiloRoutes
{
    [LoggerMessage(EventId = 3012, Level = LogLevel.Debug, Message = "Chunks for silo {Silo} now go straight to its gateway {Gateway}")]
    private static partial void LogRouteConnected(ILogger logger, string silo, string gateway);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information,
        Message = "Could not connect to silo {Silo}'s gateway {Gateway} ({ErrorType}: {Error}); its chunks go through the other gateways")]
    private static partial void LogRouteFailed(ILogger logger, string silo, string gateway, string errorType, string error);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information,
        Message = "Could not read the silos' gateways ({ErrorType}: {Error}); chunks go through any gateway")]
    private static partial void LogRoutesUnavailable(ILogger logger, string errorType, string error);
}
