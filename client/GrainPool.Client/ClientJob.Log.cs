using Microsoft.Extensions.Logging;

namespace GrainPool.Client;

internal abstract partial class ClientJob<TChunk>
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Job {JobId} ({Kind} {Kernel}) finished in {ElapsedSeconds:F3} s over {Chunks} chunks")]
    private static partial void LogJobFinished(ILogger logger, string kind, string kernel, Guid jobId, double elapsedSeconds, long chunks);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Job {JobId} ({Kind} {Kernel}) was cancelled after {ElapsedSeconds:F3} s")]
    private static partial void LogJobCancelled(ILogger logger, string kind, string kernel, Guid jobId, double elapsedSeconds);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Job {JobId} ({Kind} {Kernel}) timed out after {ElapsedSeconds:F3} s (its timeout: {Timeout})")]
    private static partial void LogJobTimedOut(ILogger logger, string kind, string kernel, Guid jobId, double elapsedSeconds, TimeSpan? timeout);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Job {JobId} ({Kind} {Kernel}) failed after {ElapsedSeconds:F3} s with {ErrorType}")]
    private static partial void LogJobFailed(ILogger logger, Exception error, string kind, string kernel, Guid jobId, double elapsedSeconds, string errorType);
}
