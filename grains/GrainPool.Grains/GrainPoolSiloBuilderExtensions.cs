using GrainPool.Abstractions;
using GrainPool.Kernels;
using GrainPool.Kernels.Running;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
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
        var registry = GetOrAddRegistry(silo.Services);
        registry.Add(BuiltInKernels.PrimeCountSieve.Id, new PrimeCountKernel(PrimalityMethod.Sieve));
        registry.Add(BuiltInKernels.PrimeCountMillerRabin.Id, new PrimeCountKernel(PrimalityMethod.MillerRabin));
        registry.Add(BuiltInKernels.PrimeCountTrial.Id, new PrimeCountKernel(PrimalityMethod.Trial));
        registry.Add(BuiltInKernels.SqrtSumFixed.Id, new SqrtSumFixedKernel());
        registry.Add(BuiltInKernels.SquareSum.Id, new SquareSumKernel());
        registry.Add(BuiltInKernels.IsPrimeTrial.Id, new IsPrimeKernel(PrimalityMethod.Trial));
        registry.Add(BuiltInKernels.IsPrimeMillerRabin.Id, new IsPrimeKernel(PrimalityMethod.MillerRabin));
        registry.Add(BuiltInKernels.IsPrimeMillerRabinUInt64.Id, new UInt64PrimalityKernel());
        return silo;
    }

    /// <summary>Registers a user range kernel under <see cref="RangeKernel{TPartial}.Id"/> of its client handle.</summary>
    public static ISiloBuilder AddRangeKernel<TPartial>(this ISiloBuilder silo, RangeKernel<TPartial> handle, IRangeKernel<TPartial> kernel)
    {
        ArgumentNullException.ThrowIfNull(handle);
        GetOrAddRegistry(silo.Services).Add(handle.Id, kernel);
        return silo;
    }

    /// <summary>Registers a user item kernel under <see cref="ItemKernel{TItem, TResult}.Id"/> of its client handle.</summary>
    public static ISiloBuilder AddItemKernel<TItem, TResult>(this ISiloBuilder silo, ItemKernel<TItem, TResult> handle, IItemKernel<TItem, TResult> kernel)
    {
        ArgumentNullException.ThrowIfNull(handle);
        GetOrAddRegistry(silo.Services).Add(handle.Id, kernel);
        return silo;
    }

    private static KernelRegistry GetOrAddRegistry(IServiceCollection services)
    {
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(KernelRegistry))?.ImplementationInstance;
        if (existing is KernelRegistry registry)
        {
            return registry;
        }

        registry = new KernelRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}
