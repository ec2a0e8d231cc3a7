using GrainPool.Kernels.Running;

namespace GrainPool.Grains;

/// <summary>
/// The kernels a silo can run, by id. Filled at start-up (built-ins plus any a user registers on the silo builder)
/// and read-only afterwards.
/// </summary>
public sealed class KernelRegistry
{
    private readonly Dictionary<string, object> _kernels = new(StringComparer.Ordinal);

    /// <summary>Registered kernel ids.</summary>
    public IEnumerable<string> Ids => _kernels.Keys;

    internal void Add(string id, object kernel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!_kernels.TryAdd(id, kernel))
        {
            throw new ArgumentException($"A kernel with id '{id}' is already registered.", nameof(id));
        }
    }

    /// <summary>The range kernel registered under <paramref name="id"/> with partial type <typeparamref name="TPartial"/>.</summary>
    public IRangeKernel<TPartial> GetRange<TPartial>(string id) => Get<IRangeKernel<TPartial>>(id);

    /// <summary>The item kernel registered under <paramref name="id"/> with the given item and result types.</summary>
    public IItemKernel<TItem, TResult> GetItem<TItem, TResult>(string id) => Get<IItemKernel<TItem, TResult>>(id);

    private T Get<T>(string id) where T : class
    {
        if (!_kernels.TryGetValue(id, out var kernel))
        {
            throw new ArgumentException($"Unknown kernel '{id}'. Registered: {string.Join(", ", _kernels.Keys.Order())}.", nameof(id));
        }

        return kernel as T ?? throw new ArgumentException(
            $"Kernel '{id}' is a {kernel.GetType().Name}, not a {typeof(T).Name}: the client's handle has the wrong types.", nameof(id));
    }
}

/// <summary>The sqrt-sum kernel with its exact partial carried as the raw 128-bit fixed-point value on the wire.</summary>
internal sealed class SqrtSumFixedKernel : IRangeKernel<UInt128>
{
    private readonly SqrtSumKernel _inner = new();

    public string Name => _inner.Name;

    public ulong MinChunkSize => _inner.MinChunkSize;

    public UInt128 Zero => UInt128.Zero;

    public UInt128 Compute(ulong first, ulong last) => _inner.Compute(first, last).Fixed;

    public UInt128 Combine(UInt128 left, UInt128 right) => checked(left + right);
}
