using GrainPool.Cli.Running;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary>A command that reports its own progress as lines (a load test's reporting intervals) rather than a progress bar.</summary>
internal interface ILiveCommand : ICliCommand
{
    /// <summary>Runs on <paramref name="runner"/>, writing progress lines to <paramref name="live"/> when it is not null.</summary>
    Task<ICommandOutcome> RunLiveAsync(IJobRunner runner, TextWriter? live, CancellationToken cancellationToken);

    /// <summary>Run without live lines (a caller that has no progress to show them on).</summary>
    Task<ICommandOutcome> ICliCommand.RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken) =>
        RunLiveAsync(runner, null, cancellationToken);
}
