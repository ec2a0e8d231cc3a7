using Microsoft.Extensions.Logging;

namespace GrainPool.Client;

internal static partial class ChunkDispatcher
{
    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning,
        Message = "Silo {Silo} failed a chunk of job {JobId} ({ErrorType}: {ErrorMessage}); taking it for lost")]
    private static partial void LogSiloLost(ILogger logger, string silo, Guid jobId, string errorType, string errorMessage);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information,
        Message = "{Chunk} of job {JobId} is retried elsewhere: silo {FailedSilo} failed it, silo {NextSilo} runs it next (retry {Retry} of at most {MaxRetries})")]
    private static partial void LogChunkRetriedElsewhere(ILogger logger, string chunk, Guid jobId, string failedSilo, string nextSilo, int retry, int maxRetries);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Information,
        Message = "{Chunk} of job {JobId} runs again: its call on silo {Silo} went through the main client, whose gateway may have been a lost silo")]
    private static partial void LogChunkInterrupted(ILogger logger, string chunk, Guid jobId, string silo);

    [LoggerMessage(EventId = 3019, Level = LogLevel.Information,
        Message = "{Chunk} of job {JobId} runs again: its call failed on the way to silo {Silo}, which answers ({ErrorType}: {ErrorMessage})")]
    private static partial void LogChunkRerunAfterPathFailure(ILogger logger, string chunk, Guid jobId, string silo, string errorType, string errorMessage);
}
