using GrainPool.Cli.Parsing;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class NumberParserTests
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("007", 7UL)]
    [InlineData("1_000_000", 1_000_000UL)]
    [InlineData("1e10", 10_000_000_000UL)]
    [InlineData("2e9", 2_000_000_000UL)]
    [InlineData("1E6", 1_000_000UL)]
    [InlineData("0e99", 0UL)]
    [InlineData("18e18", 18_000_000_000_000_000_000UL)]
    [InlineData("1e19", 10_000_000_000_000_000_000UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("18_446_744_073_709_551_615", ulong.MaxValue)]
    public void Accepted_forms_parse_exactly(string text, ulong expected)
    {
        Assert.Equal(NumberOutcome.Parsed, NumberParser.TryParse(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("18446744073709551616")]
    [InlineData("2e19")]
    [InlineData("1e20")]
    [InlineData("1e999999999999")]
    [InlineData("184467440737095516150")]
    public void Values_beyond_2_pow_64_minus_1_are_too_large(string text) =>
        Assert.Equal(NumberOutcome.TooLarge, NumberParser.TryParse(text, out _));

    [Theory]
    [InlineData("-1")]
    [InlineData("-1e3")]
    public void Minus_signs_are_negative(string text) =>
        Assert.Equal(NumberOutcome.Negative, NumberParser.TryParse(text, out _));

    [Theory]
    [InlineData("")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("+5")]
    [InlineData("1.0")]
    [InlineData("1.5e3")]
    [InlineData("1e-3")]
    [InlineData("1e+3")]
    [InlineData("e5")]
    [InlineData("1e")]
    [InlineData("1_e5")]
    [InlineData("1_0e5")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("1__0")]
    [InlineData("0x1F")]
    [InlineData("١٢")] // Arabic-Indic digits are digits to char.IsDigit, not to grainpool
    [InlineData("--5")]
    public void Anything_else_is_not_a_number(string text) =>
        Assert.Equal(NumberOutcome.NotANumber, NumberParser.TryParse(text, out _));
}
