using System.Text;
using System.Text.Json;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class OutputFormatTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("9007199254740992", "9007199254740992")]
    [InlineData("9007199254740993", "\"9007199254740993\"")]
    [InlineData("340282366920938463463374607431768211455", "\"340282366920938463463374607431768211455\"")]
    public void Integers_up_to_2_pow_53_are_numbers_and_larger_ones_strings(string value, string expectedJson)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteIntegerValue(UInt128.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(expectedJson, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Theory]
    [InlineData(666666166.4588221, "666666166.4588221")]
    [InlineData(0.1, "0.1")]
    [InlineData(21081849486.442493, "21081849486.442493")]
    [InlineData(2.0, "2")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    public void Doubles_are_written_in_shortest_round_trip_form(double value, string expected)
    {
        var json = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteDoubleArray("results", [value, value]);
            writer.WriteEndObject();
        });

        Assert.Equal($"{{\"results\":[{expected},{expected}]}}", json);
    }

    [Fact]
    public void Long_double_arrays_come_out_whole_and_bit_identical_past_the_flush_threshold()
    {
        // About 4 MB of text, several times the writer's 1 MiB flush threshold; every value parses back to its own bits.
        var random = new Random(20261202);
        var values = Enumerable.Range(0, 200_000).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64(0, 0x7FEF_FFFF_FFFF_FFFF))).ToArray();
        var json = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteDoubleArray("results", values);
            writer.WriteEndObject();
        });

        using var document = JsonDocument.Parse(json);
        var back = document.RootElement.GetProperty("results").EnumerateArray()
            .Select(e => double.Parse(e.GetRawText(), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Integer_arrays_follow_the_2_pow_53_rule_per_element()
    {
        var json = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteIntegerArray("values", [0, 97, 9_007_199_254_740_992, 9_007_199_254_740_993, ulong.MaxValue]);
            writer.WriteEndObject();
        });

        Assert.Equal("{\"values\":[0,97,9007199254740992,\"9007199254740993\",\"18446744073709551615\"]}", json);
    }

    [Fact]
    public void Integer_properties_follow_the_2_pow_53_rule_and_a_missing_value_is_null()
    {
        var json = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteInteger("small", 9_007_199_254_740_992);
            writer.WriteInteger("large", UInt128.MaxValue);
            writer.WriteIntegerOrNull("chunkSize", null);
            writer.WriteIntegerOrNull("given", 18_446_744_073_709_551_557);
            writer.WriteEndObject();
        });

        Assert.Equal(
            "{\"small\":9007199254740992,\"large\":\"340282366920938463463374607431768211455\",\"chunkSize\":null,\"given\":\"18446744073709551557\"}",
            json);
    }

    [Fact]
    public void Long_boolean_arrays_come_out_whole_past_the_flush_threshold()
    {
        // 1.5 million values, about 8 MB of text: flushed as it grows, nothing lost or repeated.
        var values = Enumerable.Range(0, 1_500_000).Select(i => i % 3 == 0).ToArray();
        var json = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteBooleanArray("results", values);
            writer.WriteEndObject();
        });

        Assert.Equal("{\"results\":[" + string.Join(',', values.Select(v => v ? "true" : "false")) + "]}", json);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void Argument_exception_becomes_one_line_with_parameter_and_value()
    {
        var line = ErrorLine.For(new ArgumentOutOfRangeException("first", 10UL, "first (10) must not exceed last (5)."));
        Assert.Equal("grainpool: error: first: '10' first (10) must not exceed last (5).", line);
    }

    [Fact]
    public void Multi_line_messages_become_one_line()
    {
        var line = ErrorLine.For(new InvalidOperationException("one\r\ntwo\n\tthree"));
        Assert.Equal("grainpool: error: one two three", line);
    }

    [Fact]
    public void Stack_frames_inside_a_message_are_left_out_of_the_line()
    {
        var message = "Exception while processing message.\n ---> System.IO.IOException: boom\n   at Orleans.Runtime.Messaging.Send(Message m) in /src/x.cs:line 3\n" +
            "   at GrainPool.Client.ItemJob.RunAsync()\n--- End of stack trace from previous location ---\n   at System.Runtime.X.Throw()\nwhat remains";

        var line = ErrorLine.For(new InvalidOperationException(message));

        Assert.Equal("grainpool: error: Exception while processing message. ---> System.IO.IOException: boom what remains", line);
    }

    [Fact]
    public void A_verbose_log_entry_is_one_line_with_its_time_level_source_and_the_exception_without_its_stack()
    {
        var error = new StringWriter();
        using var log = new VerboseLog(error);
        var logger = log.CreateLogger("GrainPool.Client.GrainPoolClient");
        var failure = new InvalidOperationException("Unable to connect\n   at Orleans.Runtime.Messaging.Send(Message m) in /src/x.cs:line 3\nto 127.0.0.3:11111");

        logger.Log(Microsoft.Extensions.Logging.LogLevel.Warning, default, "Silo 127.0.0.3 is gone", failure, (state, _) => state);
        logger.Log(Microsoft.Extensions.Logging.LogLevel.Information, default, "Chunk [1, 2]\nruns again", null, (state, _) => state);

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^grainpool: log: \+\d+\.\d\d s warn: GrainPoolClient: Silo 127\.0\.0\.3 is gone \(InvalidOperationException: Unable to connect to 127\.0\.0\.3:11111\)$", lines[0]);
        Assert.Matches(@"^grainpool: log: \+\d+\.\d\d s info: GrainPoolClient: Chunk \[1, 2\] runs again$", lines[1]);
    }

    [Fact]
    public void A_long_value_is_quoted_by_its_start_and_its_length()
    {
        var value = new string('9', 100_000);

        Assert.Equal($"'{new string('9', 57)}...' (100000 characters)", UsageException.Quote(value));
        Assert.Equal("'12345'", UsageException.Quote("12345"));
        Assert.Equal($"--to: '{new string('9', 57)}...' (100000 characters) is larger than 18446744073709551615", UsageException.ForValue("--to", value, "is larger than 18446744073709551615").Message);
    }

    [Fact]
    public void Grouped_numbers_use_commas_whatever_the_culture()
    {
        Assert.Equal("100,000", TextFormat.Grouped(100_000));
        Assert.Equal("18,446,744,073,709,551,615", TextFormat.Grouped(ulong.MaxValue));
        Assert.Equal("666666166.46", TextFormat.TwoDecimals(666666166.4588221));
    }
}
