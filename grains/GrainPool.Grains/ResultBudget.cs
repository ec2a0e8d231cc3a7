using System.Globalization;
using System.Runtime.CompilerServices;
using GrainPool.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;

namespace GrainPool.Grains;

/// <summary>
/// What one response message can carry of a chunk's results. A response over Orleans' body limit
/// (<see cref="MessagingOptions.MaxMessageBodySize"/>, 100 MB by default) cannot be sent: Orleans closes the connection
/// it was to go on, and the caller, with every other call on that connection, waits out its response timeout. So a
/// worker returns the results that fit (the first ones, at least one) and the client asks again for the rest; an
/// item whose result alone is over the limit fails, with an error that names the size and the option. The same limit
/// applies when nothing is serialized (a client inside the silo), so a job behaves the same on every cluster. A range
/// chunk's partial result too large for a response is not sent: the client computes the chunk again in halves.
/// </summary>
public sealed class ResultBudget(IOptions<SiloMessagingOptions> messaging, Serializer serializer)
{
    private readonly MessageFit _fit = new(serializer);

    /// <summary>The silo's message body limit, in bytes.</summary>
    public int Limit => messaging.Value.MaxMessageBodySize;

    /// <summary>
    /// The results (and errors) that fit one response, from the first: all of them when they fit. An item whose result
    /// alone does not fit gets <see cref="MessageFit.ResultTooLargeErrorType"/> in place of its result.
    /// </summary>
    public (PackedArray<TResult> Results, ItemError[] Errors) Fit<TResult>(PackedArray<TResult> results, ItemError[] errors, Action<string> itemFailed)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(errors);
        // Room for the results: the limit less the errors' text (UTF-8, up to 3 bytes a character) and the reserve.
        var room = (long)Limit - errors.Sum(e => 16L + (3L * ((long)e.ErrorType.Length + e.Message.Length)));
        if (PackedArray<TResult>.IsPackable)
        {
            // Raw bytes: the size is known without serializing (and a pooled array keeps its pool).
            var packed = PackedArray<TResult>.MaxPerMessage(room);
            return packed >= results.Length ? (results, errors) : (results.TakeFirst(packed), Before(errors, packed));
        }

        var array = results.Items; // results with references are never pooled: the worker's own array, changed in place
        List<ItemError>? tooLarge = null;
        var fits = _fit.FitFirst(array, 0, room - PackedArray<TResult>.MessageReserve, (i, size) =>
        {
            array[i] = default!;
            (tooLarge ??= []).Add(new ItemError(i, MessageFit.ResultTooLargeErrorType, string.Create(CultureInfo.InvariantCulture,
                $"Its result takes {size} bytes, more than one message can carry: {nameof(MessagingOptions.MaxMessageBodySize)} is {Limit} bytes on this silo (less {PackedArray<TResult>.MessageReserve} for the rest of the response); return a smaller result, or raise {nameof(MessagingOptions.MaxMessageBodySize)} on the silos and clients.")));
            itemFailed(MessageFit.ResultTooLargeErrorType);
        });
        return fits == array.Length
            ? (results, Merge(errors, tooLarge))
            : (new PackedArray<TResult>(array[..fits]), Before(Merge(errors, tooLarge), fits));
    }

    /// <summary>
    /// Null when a range chunk's partial result fits one response; otherwise why not (its size and the limit). A partial
    /// of a type without references has a fixed size, known without serializing it.
    /// </summary>
    public string? PartialTooLarge<TPartial>(TPartial partial)
    {
        var size = RuntimeHelpers.IsReferenceOrContainsReferences<TPartial>() ? _fit.SizeOf(partial) : Unsafe.SizeOf<TPartial>();
        return size <= (long)Limit - PackedArray<TPartial>.MessageReserve
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"its partial result takes {size} bytes, more than one message can carry: {nameof(MessagingOptions.MaxMessageBodySize)} is {Limit} bytes on this silo (less {PackedArray<TPartial>.MessageReserve} for the rest of the response)");
    }

    private static ItemError[] Merge(ItemError[] errors, List<ItemError>? more) =>
        more is null ? errors : [.. errors.Concat(more).OrderBy(e => e.Position)];

    private static ItemError[] Before(ItemError[] errors, int count) => [.. errors.Where(e => e.Position < count)];
}
