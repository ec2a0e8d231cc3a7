using GrainPool.Kernels.Running;
using Microsoft.Extensions.DependencyInjection;

namespace GrainPool.Grains;

/// <summary>
/// Finds the kernels a silo can run by id: each is a keyed <see cref="IKernel"/> service, registered by
/// <see cref="GrainPoolSiloBuilderExtensions.AddGrainPoolKernel{TPartial}(ISiloBuilder, IRangeKernel{TPartial})"/>
/// and its overloads under its own <see cref="IKernel.Id"/>. Adds the messages a client needs when a handle names a
/// kernel the silo does not have, or has with other types.
/// </summary>
public sealed class KernelRegistry(IServiceProvider services)
{
    /// <summary>Registered kernel ids.</summary>
    public IEnumerable<string> Ids => services.GetKeyedServices<IKernel>(KeyedService.AnyKey).Select(k => k.Id).Distinct(StringComparer.Ordinal);

    /// <summary>The range kernel registered under <paramref name="id"/> with partial type <typeparamref name="TPartial"/>.</summary>
    public IRangeKernel<TPartial> GetRange<TPartial>(string id) => Get<IRangeKernel<TPartial>>(id);

    /// <summary>The item kernel registered under <paramref name="id"/> with the given item and result types.</summary>
    public IItemKernel<TItem, TResult> GetItem<TItem, TResult>(string id) => Get<IItemKernel<TItem, TResult>>(id);

    private T Get<T>(string id) where T : class, IKernel
    {
        ArgumentNullException.ThrowIfNull(id);
        var kernel = services.GetKeyedService<IKernel>(id)
            ?? throw new ArgumentException($"Unknown kernel '{id}'. Registered: {string.Join(", ", Ids.Order(StringComparer.Ordinal))}.", nameof(id));
        return kernel as T ?? throw new ArgumentException(
            $"Kernel '{id}' is a {kernel.GetType().Name}, not a {typeof(T).Name}: the client's handle has the wrong types.", nameof(id));
    }
}
