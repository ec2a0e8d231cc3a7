using System.Buffers;
using GrainPool.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace GrainPool.Cluster.Tests;

/// <summary>
/// The wire form of item batches and results: raw bytes for element types without references, a normal array
/// otherwise. Round trips go through Orleans' own serializer, the one the silos use, and are compared with the input.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PackedArrayTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(PackedArray<>).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    public static TheoryData<long[]> Longs => new()
    {
        Array.Empty<long>(),
        new[] { 0L },
        new[] { long.MinValue, -1, 0, 1, long.MaxValue },
        Enumerable.Range(0, 100_000).Select(i => (long)i * 7919 - 1_000_000).ToArray(),
    };

    [Theory]
    [MemberData(nameof(Longs))]
    public void Longs_round_trip_through_the_orleans_serializer_unchanged(long[] values)
    {
        var back = RoundTrip(new PackedArray<long>(values));

        Assert.Equal(values, back.Items);
    }

    [Fact]
    public void Bools_ulongs_and_structs_round_trip_as_raw_bytes()
    {
        var bools = Enumerable.Range(0, 1001).Select(i => i % 3 == 0).ToArray();
        ulong[] ulongs = [0, 1, ulong.MaxValue, 18_446_744_073_709_551_557];
        var pairs = new[] { (1, 2.5), (-3, double.NaN), (int.MaxValue, double.Epsilon) };

        Assert.True(PackedArray<bool>.IsPackable && PackedArray<ulong>.IsPackable && PackedArray<(int, double)>.IsPackable);
        Assert.Equal(bools, RoundTrip(new PackedArray<bool>(bools)).Items);
        Assert.Equal(ulongs, RoundTrip(new PackedArray<ulong>(ulongs)).Items);
        Assert.Equal(pairs, RoundTrip(new PackedArray<(int, double)>(pairs)).Items);
    }

    [Fact]
    public void Raw_bytes_are_eight_per_long_not_a_field_per_element()
    {
        var values = Enumerable.Range(0, 10_000).Select(i => (long)i << 40).ToArray();

        var bytes = Serializer.SerializeToArray(new PackedArray<long>(values));

        // 80,000 bytes of payload plus a small header; Orleans' element-wise array form needs a header byte per element.
        Assert.InRange(bytes.Length, 80_000, 80_100);
    }

    [Fact]
    public void Element_types_with_references_travel_as_a_normal_array()
    {
        string?[] values = ["2", null, "", "18446744073709551615", "ünïcödé"];

        Assert.False(PackedArray<string?>.IsPackable);
        Assert.Equal(values, RoundTrip(new PackedArray<string?>(values)).Items);
    }

    [Fact]
    public void Inside_a_chunk_result_and_shared_twice_the_arrays_keep_their_values_and_identity()
    {
        var results = new PackedArray<long>([3, 5, 7]);
        var result = new ItemsChunkResult<long>(results, [new ItemError(1, "ArgumentException", "bad")], new WorkerStamp("silo", 0, 0.5));
        var names = new PackedArray<string?>(["a", null]);

        var back = Serializer.Deserialize<ItemsChunkResult<long>>(Serializer.SerializeToArray(result));
        var pair = Serializer.Deserialize<(PackedArray<long>, PackedArray<long>, PackedArray<string?>, PackedArray<string?>)>(
            Serializer.SerializeToArray((results, results, names, names)));

        Assert.Equal([3L, 5, 7], back!.Results);
        Assert.Equal(result.Errors, back.Errors);
        Assert.Equal(result.Worker, back.Worker);
        Assert.Equal([3L, 5, 7], pair.Item1.Items);
        Assert.Same(pair.Item1, pair.Item2);
        Assert.Equal(new string?[] { "a", null }, pair.Item3.Items);
        Assert.Same(pair.Item3, pair.Item4);
    }

    [Fact]
    public void A_length_larger_than_the_message_is_refused_before_anything_is_allocated()
    {
        var bytes = Serializer.SerializeToArray(new PackedArray<long>([1, 2, 3]));
        // The message is a field header, the byte count 24, then 24 bytes. Claim 2^30 bytes instead (a whole number of
        // longs, far more than the message holds).
        var count = VarUInt32(24);
        var countAt = bytes.AsSpan().IndexOf(count);
        Assert.True(countAt > 0, "the byte count 24 was not found where expected");
        var garbled = bytes[..countAt].Concat(VarUInt32(1U << 30)).Concat(bytes[(countAt + count.Length)..]).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.ThrowsAny<Exception>(() => Serializer.Deserialize<PackedArray<long>>(garbled));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1_000_000);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(1_025)] // the pool rents 2,048: the length is the message's, not the array's
    public void A_packed_array_read_from_the_wire_is_pooled_and_has_the_written_length_not_the_rented_one(int length)
    {
        var values = Enumerable.Range(0, length).Select(i => (long)i * 31 - 7).ToArray();
        // A rented array of the same size holds earlier values: none of them may show through.
        var dirty = RoundTrip(new PackedArray<long>(Enumerable.Repeat(-99L, 2 * length).ToArray()));
        dirty.Release();

        var back = RoundTrip(new PackedArray<long>(values));

        Assert.True(back.IsPooled);
        Assert.Equal(length, back.Length);
        Assert.Equal(values, back.Span.ToArray());
        Assert.Equal(values, Enumerable.Range(0, length).Select(i => back[i]));
        Assert.Equal(values, back.Items); // a copy of exactly Length elements
        Assert.Throws<ArgumentOutOfRangeException>(() => back[length]);
    }

    [Fact]
    public void Taking_the_first_elements_moves_a_pooled_array_to_the_new_instance_and_copies_a_wrapped_one()
    {
        long[] values = [2, 3, 5, 7, 11];
        var pooled = RoundTrip(new PackedArray<long>(values));
        var wrapped = new PackedArray<long>(values);

        var firstOfPooled = pooled.TakeFirst(3);
        var firstOfWrapped = wrapped.TakeFirst(2);

        Assert.True(firstOfPooled.IsPooled);
        Assert.Equal([2L, 3, 5], firstOfPooled.Span.ToArray());
        Assert.Throws<ObjectDisposedException>(() => pooled[0]); // the array went with the new instance
        Assert.Throws<ArgumentOutOfRangeException>(() => firstOfPooled[3]);
        Assert.False(firstOfWrapped.IsPooled);
        Assert.Equal([2L, 3], firstOfWrapped.Items);
        Assert.Equal(values, wrapped.Items); // the caller's array is untouched and still read whole
        Assert.Throws<ArgumentOutOfRangeException>(() => wrapped.TakeFirst(6));
        firstOfPooled.Release();
    }

    [Fact]
    public void A_released_pooled_array_cannot_be_read_again_and_goes_back_to_the_pool_once()
    {
        long[] values = [2, 3, 5, 7, 11];
        var back = RoundTrip(new PackedArray<long>(values));
        var kept = back.Items;

        back.Release();
        back.Release(); // a second release returns nothing twice

        Assert.Throws<ObjectDisposedException>(() => back[0]);
        Assert.Throws<ObjectDisposedException>(() => back.Span.Length);
        Assert.Equal(values, kept); // a copy made before the release stays valid
        Assert.Equal(values, back.Items);
        Assert.Equal(5, back.Length);
        // Two rentals after the double release get two different arrays (a double return would hand one out twice).
        var first = ArrayPool<long>.Shared.Rent(values.Length);
        var second = ArrayPool<long>.Shared.Rent(values.Length);
        Assert.NotSame(first, second);
        ArrayPool<long>.Shared.Return(first);
        ArrayPool<long>.Shared.Return(second);
    }

    [Fact]
    public void A_wrapped_callers_array_is_never_pooled_nor_released()
    {
        long[] values = [1, 2, 3];
        var wrapped = new PackedArray<long>(values);

        var bytes = Serializer.SerializeToArray(wrapped);
        wrapped.Release();

        Assert.False(wrapped.IsPooled);
        Assert.Same(values, wrapped.Items);
        Assert.Equal([1L, 2, 3], values);
        Assert.Equal(values, Serializer.Deserialize<PackedArray<long>>(bytes)!.Items);
    }

    [Fact]
    public void A_wrapped_arrays_first_elements_are_written_read_and_copied_by_the_wrapped_length_and_sent_again()
    {
        // A client's item batch: a rented array longer than the chunk, which a retry sends again.
        long[] rented = [7, 8, 9, -1, -1];
        var batch = new PackedArray<long>(rented, 3);

        var first = Serializer.SerializeToArray(batch);
        var again = Serializer.SerializeToArray(batch); // still the caller's: writing it did not release it
        batch.Release();

        Assert.False(batch.IsPooled);
        Assert.Equal([7L, 8, 9], batch.Span);
        Assert.Equal([7L, 8, 9], batch.Items); // exactly Length elements: a copy, as the array is longer
        Assert.Equal(first, again);
        Assert.Equal([7L, 8, 9], Serializer.Deserialize<PackedArray<long>>(first)!.Items);
        Assert.Equal([7L, 8, 9, -1, -1], rented);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedArray<long>(rented, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[3]);
    }

    [Fact]
    public void A_pooled_result_is_written_with_its_length_and_released_once_written()
    {
        var rented = ArrayPool<long>.Shared.Rent(3);
        rented.AsSpan().Fill(-1);
        rented[0] = 10;
        rented[1] = 20;
        rented[2] = 30;
        var results = PackedArray<long>.FromPool(rented, 3);
        var chunk = new ItemsChunkResult<long>(results, [], new WorkerStamp("silo", 1, 0.1));

        var bytes = Serializer.SerializeToArray(chunk);

        Assert.Throws<ObjectDisposedException>(() => results[0]); // back in the pool: the response was written
        var back = Serializer.Deserialize<ItemsChunkResult<long>>(bytes)!;
        Assert.Equal([10L, 20, 30], back.Results);
        Assert.Equal(3, back.PackedResults.Length);
    }

    [Fact]
    public void Empty_arrays_round_trip_unpooled_and_an_empty_pooled_one_is_allowed()
    {
        var back = RoundTrip(new PackedArray<long>([]));
        var fromPool = PackedArray<long>.FromPool(ArrayPool<long>.Shared.Rent(16), 0);

        Assert.False(back.IsPooled);
        Assert.Equal(0, back.Length);
        Assert.Empty(back.Items);
        Assert.Empty(RoundTrip(fromPool).Items);
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedArray<long>.FromPool(new long[2], 3));
    }

    [Fact]
    public void A_pooled_array_of_an_element_type_with_references_travels_as_a_normal_array_of_its_length()
    {
        var rented = ArrayPool<string?>.Shared.Rent(2);
        rented[0] = "a";
        rented[1] = null;
        var pooled = PackedArray<string?>.FromPool(rented, 2);

        var back = RoundTrip(pooled);

        Assert.False(back.IsPooled);
        Assert.Equal(new string?[] { "a", null }, back.Items);
        Assert.Throws<ObjectDisposedException>(() => pooled[0]);
    }

    // Orleans' variable-length unsigned integer (Writer.WriteVarUInt32): the value shifted left once with a 1 bit, then
    // shifted left by the number of extra bytes, written little-endian in that many bytes plus one.
    private static byte[] VarUInt32(uint value)
    {
        var extraBytes = System.Numerics.BitOperations.Log2(value) / 7;
        var encoded = (((ulong)value << 1) + 1) << extraBytes;
        return BitConverter.GetBytes(encoded)[..(extraBytes + 1)];
    }

    private static PackedArray<T> RoundTrip<T>(PackedArray<T> value) =>
        Serializer.Deserialize<PackedArray<T>>(Serializer.SerializeToArray(value)) ?? throw new InvalidOperationException("deserialized to null");
}
