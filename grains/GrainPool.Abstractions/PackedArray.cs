using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GrainPool.Abstractions;

/// <summary>
/// An array as it crosses the wire between client and workers. Orleans' array codec writes every element with its own
/// field header and varint (measured: 75 ms to serialize and deserialize 10^6 <see cref="long"/>s, 35 ms for 10^6
/// <see cref="bool"/>s), which costs a per-item map more than trial division of the item itself. An array of an
/// unmanaged type (no references: numbers, bools, plain structs) therefore travels as one block of its raw bytes (one
/// copy each side); any other element type travels as a normal array. The raw form is the sender's memory layout,
/// little-endian on every platform .NET runs Orleans on.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
[GenerateSerializer, Immutable, Alias("GrainPool.PackedArray`1")]
public sealed class PackedArray<T>
{
    [Id(0)]
    private readonly byte[]? _raw;

    [Id(1)]
    private readonly T[]? _boxed;

    // The unpacked array: the sender's own on the sending side, built once from the wire form on the receiving side.
    [NonSerialized]
    private T[]? _items;

    /// <summary>Wraps <paramref name="items"/> (not copied for the sender's own use; packed once for the wire).</summary>
    public PackedArray(T[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items;
        if (IsPackable)
        {
            _raw = BytesOf(items).ToArray();
        }
        else
        {
            _boxed = items;
        }
    }

    /// <summary>True when elements of <typeparamref name="T"/> travel as raw bytes.</summary>
    public static bool IsPackable => !RuntimeHelpers.IsReferenceOrContainsReferences<T>();

    /// <summary>The elements.</summary>
    public T[] Items => _items ??= Unpack();

    /// <summary>Number of elements.</summary>
    public int Length => Items.Length;

    /// <summary>Wraps an array.</summary>
    public static implicit operator PackedArray<T>(T[] items) => new(items);

    private T[] Unpack()
    {
        if (_boxed is not null)
        {
            return _boxed;
        }

        var raw = _raw ?? [];
        var size = Unsafe.SizeOf<T>();
        if (!IsPackable || raw.Length % size != 0)
        {
            throw new InvalidOperationException(
                $"A packed array of {typeof(T).Name} holds {raw.Length} bytes, not a whole number of {size}-byte elements.");
        }

        var items = new T[raw.Length / size];
        raw.CopyTo(BytesOf(items));
        return items;
    }

    // The array's memory as bytes; only called for element types without references (IsPackable).
    private static Span<byte> BytesOf(T[] items) =>
        items.Length == 0
            ? []
            : MemoryMarshal.CreateSpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(items)), checked(items.Length * Unsafe.SizeOf<T>()));
}
