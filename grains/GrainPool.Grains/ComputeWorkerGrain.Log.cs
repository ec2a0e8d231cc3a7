using Microsoft.Extensions.Logging;

namespace GrainPool.Grains;

// The grains' log messages use event ids 1100-1199 (the silo host's use 1000-1099).
public sealed partial class ComputeWorkerGrain
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug,
        Message = "Chunk of job {Job} ({Kernel}) on worker core {Core} stopped: its call or its job was cancelled")]
    private static partial void LogChunkCancelled(ILogger logger, Guid job, string kernel, long core);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug,
        Message = "Chunk of job {Job} ({Kernel}) on worker core {Core} handed back: this silo is stopping, the client reruns it on another worker")]
    private static partial void LogChunkHandedBack(ILogger logger, Guid job, string kernel, long core);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning,
        Message = "Chunk of job {Job} ({Kernel}) on worker core {Core} failed with {ErrorKind}; the client gets the error")]
    private static partial void LogChunkFailed(ILogger logger, Exception error, Guid job, string kernel, long core, string errorKind);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error,
        Message = "Chunk of job {Job} ({Kernel}) on worker core {Core} did not return within {Seconds} s of being stopped: the kernel is stuck; the worker goes on with a new thread and the stuck one keeps its CPU until the kernel returns or the silo ends")]
    private static partial void LogKernelStuck(ILogger logger, Guid job, string kernel, long core, double seconds);
}
