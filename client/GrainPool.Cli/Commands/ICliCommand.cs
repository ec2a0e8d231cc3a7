using GrainPool.Cli.Running;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Commands;

/// <summary>A command with its arguments already checked, ready to run on a runner.</summary>
internal interface ICliCommand
{
    /// <summary>The command's words as output reports them, for example <c>primes count</c>.</summary>
    string Name { get; }

    /// <summary>Runs the job on <paramref name="runner"/> and returns what to print.</summary>
    Task<ICommandOutcome> RunAsync(IJobRunner runner, IProgress<RunProgress>? progress, CancellationToken cancellationToken);
}
