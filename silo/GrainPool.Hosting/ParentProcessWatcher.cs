using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace GrainPool.Hosting;

/// <summary>
/// Stops the silo gracefully when the launcher named by <see cref="GrainPoolSiloOptions.ParentProcessId"/> exits, so
/// silos started by a test run or benchmark that crashes do not outlive it.
/// </summary>
internal sealed partial class ParentProcessWatcher(
    IHostApplicationLifetime lifetime,
    IOptions<GrainPoolSiloOptions> options,
    ILogger<ParentProcessWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ParentProcessId is not { } parentId)
        {
            return;
        }

        try
        {
            using var parent = Process.GetProcessById(parentId);
            await parent.WaitForExitAsync(stoppingToken);
        }
        catch (ArgumentException)
        {
            // Already gone before we looked.
        }

        LogParentExited(logger, parentId, options.Value.EffectiveName);
        lifetime.StopApplication();
    }
}
