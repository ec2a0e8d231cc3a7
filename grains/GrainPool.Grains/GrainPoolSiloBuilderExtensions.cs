using GrainPool.Abstractions;

using GrainPool.Kernels.Running;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace GrainPool.Grains;

/// <summary>Registers GrainPool's compute workers and kernels on an Orleans silo.</summary>
public static class GrainPoolSiloBuilderExtensions
{
    /// <summary>
    /// Adds the compute workers: advertises <paramref name="advertisedCores"/> worker slots in silo metadata, registers
    /// the core-slot placement director and the built-in kernels.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="advertisedCores">Worker activations this silo hosts (default: its processor count).</param>
    /// <param name="sliceTarget">How long a worker computes between checks for cancellation (default 50 ms).</param>
    public static ISiloBuilder AddGrainPoolWorkers(this ISiloBuilder silo, int advertisedCores, TimeSpan? sliceTarget = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(advertisedCores, 1);

        silo.UseSiloMetadata(new Dictionary<string, string> { [SiloMetadataKeys.Cores] = advertisedCores.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        silo.AddPlacementDirector<CoreSlotPlacement, CoreSlotPlacementDirector>();
        silo.Services.AddMetrics();
        silo.Services.AddSingleton(_ => new JobCancellations());
        silo.Services.AddSingleton<ResultBudget>();
        silo.Services.AddSingleton(_ => new WorkerThreads(advertisedCores));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, WorkerHandBack>();
        silo.Services.AddSingleton(sp => new WorkerActivity(
            sliceTarget ?? TimeSpan.FromMilliseconds(50),
            advertisedCores,
            sp.GetRequiredService<IMeterFactory>(),
            () => sp.GetRequiredService<ILocalSiloDetails>().Name));
        // Create it (and its gauges) when the silo starts, not with the first worker: a silo that has run nothing yet
        // still reports its advertised cores and zero activations.
        silo.AddStartupTask((services, _) =>
        {
            services.GetRequiredService<WorkerActivity>().InitializeSeries(services.GetRequiredService<KernelRegistry>().Ids);
            return Task.CompletedTask;
        });
        return silo
            .AddGrainPoolKernel(KernelCatalog.PrimeCountSieve)
            .AddGrainPoolKernel(KernelCatalog.PrimeCountMillerRabin)
            .AddGrainPoolKernel(KernelCatalog.PrimeCountTrial)
            .AddGrainPoolKernel(KernelCatalog.SqrtSum)
            .AddGrainPoolKernel(KernelCatalog.SquareSum)
            .AddGrainPoolKernel(KernelCatalog.IsPrimeTrial)
            .AddGrainPoolKernel(KernelCatalog.IsPrimeMillerRabin)
            .AddGrainPoolKernel(KernelCatalog.IsPrimeMillerRabinUInt64);
    }

    /// <summary>
    /// Registers range kernel <paramref name="kernel"/> under its <see cref="IKernel.Id"/>, as a keyed service (the way
    /// Orleans registers named providers); clients call it through a handle made from the same declaration.
    /// </summary>
    public static ISiloBuilder AddGrainPoolKernel<TPartial>(this ISiloBuilder silo, IRangeKernel<TPartial> kernel) => AddKernel(silo, kernel);

    /// <summary>Registers item kernel <paramref name="kernel"/> under its <see cref="IKernel.Id"/>, as a keyed service.</summary>
    public static ISiloBuilder AddGrainPoolKernel<TItem, TResult>(this ISiloBuilder silo, IItemKernel<TItem, TResult> kernel) => AddKernel(silo, kernel);

    /// <summary>Registers the kernel declared behind <paramref name="handle"/>.</summary>
    public static ISiloBuilder AddGrainPoolKernel<TPartial>(this ISiloBuilder silo, RangeKernel<TPartial> handle) =>
        AddKernel(silo, (handle ?? throw new ArgumentNullException(nameof(handle))).Kernel);

    /// <summary>Registers the kernel declared behind <paramref name="handle"/>.</summary>
    public static ISiloBuilder AddGrainPoolKernel<TItem, TResult>(this ISiloBuilder silo, ItemKernel<TItem, TResult> handle) =>
        AddKernel(silo, (handle ?? throw new ArgumentNullException(nameof(handle))).Kernel);

    private static ISiloBuilder AddKernel(ISiloBuilder silo, IKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentException.ThrowIfNullOrWhiteSpace(kernel.Id, nameof(kernel));
        silo.Services.TryAddSingleton<KernelRegistry>();
        silo.Services.AddKeyedSingleton<IKernel>(kernel.Id, kernel);
        return silo;
    }
}
