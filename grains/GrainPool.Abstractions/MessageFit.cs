using System.Buffers;
using Orleans.Serialization;

namespace GrainPool.Abstractions;

/// <summary>
/// How many of an array's first elements one message can carry, for elements whose size is known only by serializing
/// them (for elements that travel as raw bytes <see cref="PackedArray{T}.MaxPerMessage"/> says it without). Orleans
/// cannot send a message over its body limit (<c>MaxMessageBodySize</c>): it closes the connection the message was to
/// go on, and every call on that connection waits out its response timeout. The silo sizes a chunk's results with it,
/// the client a chunk's items.
/// </summary>
public sealed class MessageFit(Serializer serializer)
{
    /// <summary>
    /// The error type of an item whose result alone is too large for a response message (the silo's check); a range job
    /// whose single number's partial result is too large fails with the exception of that name.
    /// </summary>
    public const string ResultTooLargeErrorType = nameof(ResultTooLargeException);

    /// <summary>The error type of an item too large on its own for a request message (the client's check; it is not sent).</summary>
    public const string ItemTooLargeErrorType = "ItemTooLargeException";

    /// <summary>
    /// The number of elements of <paramref name="items"/> from <paramref name="start"/> on whose serialized sizes add up
    /// to at most <paramref name="budget"/> bytes: at least one, and all of them in one serializing pass when they fit
    /// (the usual case). An element over the budget on its own is reported to <paramref name="oversized"/> (its index
    /// and size) and counted as taking no room: the caller sends something else in its place.
    /// </summary>
    public int FitFirst<T>(T[] items, int start, long budget, Action<int, long> oversized)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(oversized);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(start, items.Length);
        var counter = new CountingWriter();
        serializer.Serialize(start == 0 ? items : items[start..], counter);
        if (counter.Written <= budget)
        {
            return items.Length - start;
        }

        var total = 0L;
        for (var i = start; i < items.Length; i++)
        {
            counter.Written = 0;
            serializer.Serialize(items[i], counter);
            var size = counter.Written;
            if (size > budget)
            {
                oversized(i, size);
                size = 0;
            }

            if (i > start && total + size > budget)
            {
                return i - start;
            }

            total += size;
        }

        return items.Length - start;
    }

    /// <summary>The bytes <paramref name="value"/> takes serialized.</summary>
    public long SizeOf<T>(T value)
    {
        var counter = new CountingWriter();
        serializer.Serialize(value, counter);
        return counter.Written;
    }

    // Counts what a serializer writes, into one scratch buffer it reuses.
    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public long Written { get; set; }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

        private byte[] Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[sizeHint];
            }

            return _scratch;
        }
    }
}

/// <summary>
/// A range job's partial result for a single number is too large for one response message: the job fails, since the
/// range cannot be split any further. The message names the number, the size and the option.
/// </summary>
public sealed class ResultTooLargeException(string message) : Exception(message);
