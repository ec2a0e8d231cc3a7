using System.Text;
using System.Text.Json;
using GrainPool.Cli.Output;

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
    public void Doubles_are_written_in_shortest_round_trip_form(double value, string expected)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteNumberValue(value);
        }

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.ToArray()));
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
    public void Grouped_numbers_use_commas_whatever_the_culture()
    {
        Assert.Equal("100,000", TextFormat.Grouped(100_000));
        Assert.Equal("18,446,744,073,709,551,615", TextFormat.Grouped(ulong.MaxValue));
        Assert.Equal("666666166.46", TextFormat.TwoDecimals(666666166.4588221));
    }
}
