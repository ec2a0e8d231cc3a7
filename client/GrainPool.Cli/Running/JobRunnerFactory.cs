using GrainPool.Cli.Parsing;

namespace GrainPool.Cli.Running;

/// <summary>Creates the runner that <see cref="GlobalOptions.Mode"/> selects, starting or joining its cluster.</summary>
internal static class JobRunnerFactory
{
    /// <summary>
    /// A runner for <paramref name="options"/>: threads of this process, or a cluster that is ready to take jobs
    /// (started here for <see cref="RunnerMode.Embedded"/> and <see cref="RunnerMode.Silos"/>, and stopped when the
    /// runner is disposed).
    /// </summary>
    public static async Task<IJobRunner> CreateAsync(GlobalOptions options, CancellationToken cancellationToken)
    {
        switch (options.Mode)
        {
            case RunnerMode.InProcess:
                return new InProcessJobRunner(options.Threads ?? Environment.ProcessorCount);

            case RunnerMode.Embedded:
                return ClusterJobRunner.Over(await ClusterSession.StartEmbeddedAsync(options.Threads ?? Environment.ProcessorCount, cancellationToken), null);

            case RunnerMode.Silos:
            {
                // --threads T is the total across the silos: ceil(T / N) slots each, capped at T workers per job when
                // T does not divide evenly. Without it each silo advertises the CPUs it is pinned to.
                var coresPerSilo = options.Threads is { } total ? (total + options.SiloCount - 1) / options.SiloCount : (int?)null;
                int? maxWorkers = options.Threads is { } t && t != coresPerSilo * options.SiloCount ? t : null;
                return ClusterJobRunner.Over(await ClusterSession.StartSilosAsync(options.SiloCount, coresPerSilo, options.ClusterId, options.Redis, cancellationToken, log: options.ClientLog), maxWorkers);
            }

            case RunnerMode.Remote when options.Redis is { } redis:
                return ClusterJobRunner.Over(
                    await ClusterSession.ConnectThroughRedisAsync(redis, options.ClusterId ?? GlobalOptions.DefaultClusterId, options.ConfigureTls, options.ClientLog, cancellationToken),
                    options.Threads);

            case RunnerMode.Remote:
                return ClusterJobRunner.Over(
                    await ClusterSession.ConnectAsync(await options.ResolveGatewaysAsync(cancellationToken), options.ClusterId ?? GlobalOptions.DefaultClusterId, options.ConfigureTls, options.ClientLog, cancellationToken),
                    options.Threads);

            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown runner mode.");
        }
    }
}
