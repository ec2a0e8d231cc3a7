using GrainPool.Cli.Parsing;

namespace GrainPool.Cli.Running;

/// <summary>Creates the runner that <see cref="GlobalOptions.Mode"/> selects.</summary>
internal static class JobRunnerFactory
{
    /// <summary>A runner for <paramref name="options"/>.</summary>
    public static IJobRunner Create(GlobalOptions options) => options.Mode switch
    {
        RunnerMode.InProcess => new InProcessJobRunner(options.Threads),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown runner mode."),
    };
}
