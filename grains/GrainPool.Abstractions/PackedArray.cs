using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace GrainPool.Abstractions;

/// <summary>
/// An array as it crosses the wire between client and workers. Orleans' array codec writes every element with its own
/// field header and varint (measured: 75 ms to serialize and deserialize 10^6 <see cref="long"/>s, 35 ms for 10^6
/// <see cref="bool"/>s), which costs a per-item map more than trial division of the item itself. An array of an
/// unmanaged type (no references: numbers, bools, plain structs) therefore travels as one block of its raw bytes,
/// written straight from the array and read straight into a pooled one (<see cref="PackedArrayCodec{T}"/>); any other
/// element type travels as a normal array. The raw form is the sender's memory layout, little-endian on every platform
/// .NET runs Orleans on.
/// </summary>
/// <remarks>
/// <para>
/// No intermediate byte array on either side: a large array is new memory, and on a virtual machine the first touch of
/// new memory costs far more than the copy (measured here: 90 ms to first write 24 MB, 1.6 ms to write it again).
/// </para>
/// <para>
/// Pooled arrays: a packed array read from the wire is read into an array rented from <see cref="ArrayPool{T}.Shared"/>,
/// and a worker fills its results into one (<see cref="FromPool"/>), so a silo running chunk after chunk reuses the
/// same few arrays. A pooled array never leaves its instance: <see cref="Span"/> and the indexer read its first
/// <see cref="Length"/> elements, and <see cref="Items"/> is then a copy of exactly those. It goes back to the pool once:
/// when the codec has written it (a response crosses the wire once; a call inside one process is not serialized, and
/// its receiver gets the same instance), or when its holder calls <see cref="Release"/> because nothing reads it any
/// more, whichever is first; reading it afterwards throws <see cref="ObjectDisposedException"/>. An instance that wraps
/// a caller's array (<see cref="PackedArray{T}(T[])"/>, <see cref="PackedArray{T}(T[], int)"/>) is never returned by it,
/// and <see cref="Release"/> leaves it as it is: a client's item batch is such an array, rented by the client, which
/// sends it again on a retry and returns it itself once its chunk is done.
/// </para>
/// </remarks>
/// <typeparam name="T">Element type.</typeparam>
[Immutable, Alias("GrainPool.PackedArray`1")]
public sealed class PackedArray<T>
{
    private readonly bool _pooled;
    private T[]? _array;
    private T[]? _copy;

    /// <summary>Wraps <paramref name="items"/> (not copied; the array must not change while the call is in flight).</summary>
    public PackedArray(T[] items)
        : this(items ?? throw new ArgumentNullException(nameof(items)), items.Length, pooled: false)
    {
    }

    /// <summary>
    /// Wraps the first <paramref name="length"/> elements of <paramref name="items"/> (not copied; they must not change
    /// while the call is in flight). The array stays the caller's: this instance never returns it to a pool, even when
    /// the caller rented it (a client's item batch, which a retry sends again).
    /// </summary>
    public PackedArray(T[] items, int length)
        : this(items ?? throw new ArgumentNullException(nameof(items)), length, pooled: false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, items.Length);
    }

    private PackedArray(T[] array, int length, bool pooled)
    {
        _array = array;
        Length = length;
        _pooled = pooled;
    }

    /// <summary>True when elements of <typeparamref name="T"/> travel as raw bytes.</summary>
    public static bool IsPackable => !RuntimeHelpers.IsReferenceOrContainsReferences<T>();

    /// <summary>Room a message keeps for what travels beside a packed array: its headers, the call's other arguments.</summary>
    public const int MessageReserve = 64 * 1024;

    /// <summary>
    /// How many elements fit one message whose body may hold <paramref name="messageBytes"/> bytes (Orleans'
    /// <c>MaxMessageBodySize</c>), less <see cref="MessageReserve"/>: at least one; for element types that do not travel
    /// as raw bytes, whose size is not known without serializing them, <see cref="int.MaxValue"/>.
    /// </summary>
    public static int MaxPerMessage(long messageBytes) =>
        IsPackable ? (int)Math.Clamp((messageBytes - MessageReserve) / Unsafe.SizeOf<T>(), 1, int.MaxValue) : int.MaxValue;

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Whether the elements live in an array rented from <see cref="ArrayPool{T}.Shared"/> (see the remarks).</summary>
    public bool IsPooled => _pooled;

    /// <summary>
    /// The elements as an array of exactly <see cref="Length"/> elements that the caller may keep: the wrapped array
    /// itself when it is exactly that long, or else a copy made on the first call (a pooled array never leaves the
    /// instance, and a wrapped array may be longer than the elements).
    /// </summary>
    public T[] Items
    {
        get
        {
            if (!_pooled && _array!.Length == Length)
            {
                return _array;
            }

            if (_copy is { } copy)
            {
                return copy;
            }

            copy = Span.ToArray();
            return Interlocked.CompareExchange(ref _copy, copy, null) ?? copy;
        }
    }

    /// <summary>The elements, without a copy. Valid until the instance is released (see the remarks).</summary>
    public ReadOnlySpan<T> Span => new(Array, 0, Length);

    /// <summary>Element <paramref name="index"/>.</summary>
    public T this[int index] => (uint)index < (uint)Length ? Array[index] : throw new ArgumentOutOfRangeException(nameof(index), index, $"The packed array holds {Length} elements.");

    // The live array: the wrapped one, or the rented one until it went back to the pool.
    private T[] Array => Volatile.Read(ref _array) ?? throw new ObjectDisposedException(nameof(PackedArray<T>), "The pooled array was returned to the pool: it was sent, or its holder released it.");

    /// <summary>Wraps an array.</summary>
    public static implicit operator PackedArray<T>(T[] items) => new(items);

    /// <summary>
    /// Takes over <paramref name="rented"/>, an array rented from <see cref="ArrayPool{T}.Shared"/> whose first
    /// <paramref name="length"/> elements are the values: the caller must not use it, nor return it, afterwards. It goes
    /// back to the pool when the instance is sent or released (see the remarks).
    /// </summary>
    public static PackedArray<T> FromPool(T[] rented, int length)
    {
        ArgumentNullException.ThrowIfNull(rented);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, rented.Length);
        return new PackedArray<T>(rented, length, pooled: true);
    }

    /// <summary>
    /// A packed array of this one's first <paramref name="count"/> elements. A pooled array moves to the new instance
    /// (this one reads as released afterwards); a wrapped caller's array is copied.
    /// </summary>
    public PackedArray<T> TakeFirst(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Length);
        if (!_pooled)
        {
            return new PackedArray<T>(Array[..count]);
        }

        var rented = Interlocked.Exchange(ref _array, null) ?? throw new ObjectDisposedException(nameof(PackedArray<T>), "The pooled array was returned to the pool: it was sent, or its holder released it.");
        return new PackedArray<T>(rented, count, pooled: true);
    }

    /// <summary>
    /// Says that nothing reads this instance's elements any more: a pooled array goes back to the pool (once, however
    /// often this is called); a wrapped caller's array is left as it is. <see cref="Items"/> copies already made stay valid.
    /// </summary>
    public void Release()
    {
        if (_pooled && Interlocked.Exchange(ref _array, null) is { } rented)
        {
            ArrayPool<T>.Shared.Return(rented, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }
    }

    // The first Length elements' memory as bytes; only for element types without references (IsPackable).
    internal Span<byte> Bytes() => BytesOf(Array, Length);

    // An array's first `length` elements as bytes; only for element types without references (IsPackable).
    internal static Span<byte> BytesOf(T[] items, int length) =>
        length == 0
            ? []
            : MemoryMarshal.CreateSpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(items)), checked(length * Unsafe.SizeOf<T>()));

    // A packed array read from the wire into a rented array (none for an empty one).
    internal static PackedArray<T> Rent(int length) =>
        length == 0 ? new PackedArray<T>([]) : new PackedArray<T>(ArrayPool<T>.Shared.Rent(length), length, pooled: true);

    // The array to read into: only for an instance made by Rent, before anyone else sees it.
    internal T[] RentedArray => Array;
}

/// <summary>
/// Orleans codec of <see cref="PackedArray{T}"/>: a length-prefixed block of raw bytes for element types without
/// references, else a nested field holding the array in Orleans' own array form.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
[RegisterSerializer]
public sealed class PackedArrayCodec<T>(IFieldCodec<T[]> arrayCodec) : IFieldCodec<PackedArray<T>>
{
    private static readonly Type PackedType = typeof(PackedArray<T>);

    /// <inheritdoc />
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, PackedArray<T>? value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        if (PackedArray<T>.IsPackable)
        {
            writer.WriteFieldHeader(fieldIdDelta, expectedType, PackedType, WireType.LengthPrefixed);
            var bytes = value.Bytes();
            writer.WriteVarUInt32((uint)bytes.Length);
            writer.Write(bytes);

            // Written: a pooled array (a worker's results) has crossed the wire, and no one reads it on this side.
            value.Release();
            return;
        }

        writer.WriteFieldHeader(fieldIdDelta, expectedType, PackedType, WireType.TagDelimited);
        arrayCodec.WriteField(ref writer, 0, typeof(T[]), value.Items);
        writer.WriteEndObject();
        value.Release();
    }

    /// <inheritdoc />
    public PackedArray<T> ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            // A null packed array (written as a null reference) reads back as null.
            return ReferenceCodec.ReadReference<PackedArray<T>, TInput>(ref reader, field)!;
        }

        if (field.WireType == WireType.LengthPrefixed)
        {
            var size = Unsafe.SizeOf<T>();
            if (!PackedArray<T>.IsPackable)
            {
                throw new InvalidOperationException($"A packed array of {typeof(T).Name} arrived as raw bytes, but {typeof(T).Name} holds references.");
            }

            var byteCount = reader.ReadVarUInt32();
            if (byteCount % (uint)size != 0)
            {
                throw new InvalidOperationException(
                    $"A packed array of {typeof(T).Name} holds {byteCount} bytes, not a whole number of {size}-byte elements.");
            }

            // Before allocating: a garbled or hostile length must not allocate more than the message holds.
            reader.EnsureAvailable(byteCount);

            // Into a pooled array: its receiver releases it once read (a worker after its chunk, a client after
            // copying the results), or it is left to the garbage collector.
            var packed = PackedArray<T>.Rent(checked((int)(byteCount / (uint)size)));
            reader.ReadBytes(PackedArray<T>.BytesOf(packed.RentedArray, packed.Length));
            ReferenceCodec.RecordObject(reader.Session, packed);
            return packed;
        }

        field.EnsureWireTypeTagDelimited();
        var placeholder = ReferenceCodec.CreateRecordPlaceholder(reader.Session);
        T[]? array = null;
        uint id = 0;
        while (true)
        {
            var header = reader.ReadFieldHeader();
            if (header.IsEndBaseOrEndObject)
            {
                break;
            }

            id += header.FieldIdDelta;
            if (id == 0)
            {
                array = arrayCodec.ReadValue(ref reader, header);
            }
            else
            {
                reader.ConsumeUnknownField(header);
            }
        }

        var result = new PackedArray<T>(array ?? []);
        ReferenceCodec.RecordObject(reader.Session, result, placeholder);
        return result;
    }
}

/// <summary>A packed array is immutable: a copy is the same instance.</summary>
/// <typeparam name="T">Element type.</typeparam>
[RegisterCopier]
public sealed class PackedArrayCopier<T> : IDeepCopier<PackedArray<T>>
{
    /// <inheritdoc />
    public PackedArray<T>? DeepCopy(PackedArray<T>? input, CopyContext context) => input;
}
