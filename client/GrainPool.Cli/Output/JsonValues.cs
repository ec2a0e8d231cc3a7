using System.Globalization;
using System.Text.Json;

namespace GrainPool.Cli.Output;

/// <summary>
/// The JSON number rules of grainpool's output: integers up to 2^53 are numbers, larger ones strings (a JSON reader
/// that maps numbers to doubles would silently round them); doubles in shortest round-trip form.
/// </summary>
internal static class JsonValues
{
    /// <summary>2^53: the largest integer from which every smaller integer is exact in a double.</summary>
    public const ulong MaxExactInteger = 1UL << 53;

    // Utf8JsonWriter buffers everything until flushed; long result arrays flush as they go.
    private const int FlushThreshold = 1 << 20;

    /// <summary>Writes <paramref name="value"/> as a number when it is at most 2^53, otherwise as a decimal string.</summary>
    public static void WriteIntegerValue(this Utf8JsonWriter json, UInt128 value)
    {
        if (value <= MaxExactInteger)
        {
            json.WriteNumberValue((ulong)value);
        }
        else
        {
            json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Writes the property <paramref name="name"/> with an integer value (see <see cref="WriteIntegerValue"/>).</summary>
    public static void WriteInteger(this Utf8JsonWriter json, string name, UInt128 value)
    {
        json.WritePropertyName(name);
        json.WriteIntegerValue(value);
    }

    /// <summary>Writes the property <paramref name="name"/> with an integer value, or null when there is none.</summary>
    public static void WriteIntegerOrNull(this Utf8JsonWriter json, string name, ulong? value)
    {
        if (value is { } v)
        {
            json.WriteInteger(name, (UInt128)v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>Writes a JSON array of booleans, flushing as the buffer grows.</summary>
    public static void WriteBooleanArray(this Utf8JsonWriter json, string name, ReadOnlySpan<bool> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteBooleanValue(value);
            if (json.BytesPending > FlushThreshold)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
    }

    /// <summary>Writes a JSON array of integers (see <see cref="WriteIntegerValue"/>).</summary>
    public static void WriteIntegerArray(this Utf8JsonWriter json, string name, ReadOnlySpan<ulong> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteIntegerValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>Writes a JSON array of doubles in shortest round-trip form.</summary>
    public static void WriteDoubleArray(this Utf8JsonWriter json, string name, ReadOnlySpan<double> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
            if (json.BytesPending > FlushThreshold)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
    }
}
