using GrainPool.Abstractions;
using GrainPool.Cluster.Tests.Infrastructure;
using GrainPool.Grains;
using GrainPool.Kernels.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// One declaration per kernel: the client's handles read their facts from it, and a silo registers it as a keyed
/// service under its id, which is how the worker finds it.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class KernelRegistrationTests
{
    public static TheoryData<string, object, IKernel> BuiltInHandles => new()
    {
        { "prime-count/sieve", BuiltInKernels.PrimeCountSieve, KernelCatalog.PrimeCountSieve },
        { "prime-count/miller-rabin", BuiltInKernels.PrimeCountMillerRabin, KernelCatalog.PrimeCountMillerRabin },
        { "prime-count/trial", BuiltInKernels.PrimeCountTrial, KernelCatalog.PrimeCountTrial },
        { "sqrt-sum", BuiltInKernels.SqrtSum, KernelCatalog.SqrtSum },
        { "square-sum", BuiltInKernels.SquareSum, KernelCatalog.SquareSum },
        { "is-prime/trial", BuiltInKernels.IsPrimeTrial, KernelCatalog.IsPrimeTrial },
        { "is-prime/miller-rabin", BuiltInKernels.IsPrimeMillerRabin, KernelCatalog.IsPrimeMillerRabin },
        { "is-prime/miller-rabin-u64", BuiltInKernels.IsPrimeMillerRabinUInt64, KernelCatalog.IsPrimeMillerRabinUInt64 },
    };

    [Theory]
    [MemberData(nameof(BuiltInHandles))]
    public void Every_built_in_handle_is_made_from_its_catalog_declaration_and_the_silo_registers_that_declaration_under_its_id(string id, object handle, IKernel declaration)
    {
        var kernel = handle switch
        {
            RangeKernel<ulong> h => (IKernel)h.Kernel,
            RangeKernel<UInt128> h => h.Kernel,
            RangeKernel<Kernels.SqrtSumPartial> h => h.Kernel,
            ItemKernel<long, bool> h => h.Kernel,
            ItemKernel<ulong, bool> h => h.Kernel,
            _ => throw new ArgumentException($"unexpected handle type {handle.GetType()}", nameof(handle)),
        };
        using var services = SiloServices(silo => silo.AddGrainPoolWorkers(2));

        Assert.Same(declaration, kernel);
        Assert.Equal(id, declaration.Id);
        Assert.Same(declaration, services.GetRequiredKeyedService<IKernel>(id));
        Assert.Contains(id, services.GetRequiredService<KernelRegistry>().Ids);
    }

    [Fact]
    public void A_range_handle_reads_zero_combine_and_smallest_chunk_from_its_declaration()
    {
        var declaration = new CollatzMaxStoppingTimeKernel();
        var handle = KernelHandle.For(declaration);

        Assert.Equal(declaration.Id, handle.Id);
        Assert.Equal(declaration.Zero, handle.Zero);
        Assert.Equal(declaration.MinChunkSize, handle.MinChunkSize);
        Assert.Equal(Math.Max(17UL, 41UL), handle.Combine(17, 41));
        Assert.Equal(KernelCatalog.PrimeCountTrial.MinChunkSize, BuiltInKernels.PrimeCountTrial.MinChunkSize);
    }

    [Fact]
    public void A_user_kernel_is_one_registration_line_and_resolves_by_id_with_its_types()
    {
        using var services = SiloServices(silo => silo.AddGrainPoolWorkers(1).AddGrainPoolKernel(CollatzMaxStoppingTimeKernel.Handle));
        var registry = services.GetRequiredService<KernelRegistry>();

        Assert.Same(CollatzMaxStoppingTimeKernel.Handle.Kernel, registry.GetRange<ulong>(CollatzMaxStoppingTimeKernel.Handle.Id));
        Assert.Contains("wrong types", Assert.Throws<ArgumentException>(() => registry.GetItem<long, long>(CollatzMaxStoppingTimeKernel.Handle.Id)).Message, StringComparison.Ordinal);
        Assert.Contains("Unknown kernel 'test/none'", Assert.Throws<ArgumentException>(() => registry.GetRange<ulong>("test/none")).Message, StringComparison.Ordinal);
    }

    private static ServiceProvider SiloServices(Action<ISiloBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(configure);
        return builder.Services.BuildServiceProvider();
    }
}
