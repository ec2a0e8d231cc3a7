using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class IsPrimeTests
{
    // Known values: 2^64-59 is the largest prime below 2^64; 2^61-1 is a Mersenne prime; 561 is a Carmichael number;
    // 3215031751 is a strong pseudoprime to bases 2, 3, 5 and 7; 4294967297 = 641 * 6700417 (Fermat's F5).
    private static readonly (string Value, bool Prime)[] Known =
    [
        ("0", false),
        ("1", false),
        ("2", true),
        ("3", true),
        ("4", false),
        ("561", false),
        ("7919", true),
        ("3215031751", false),
        ("4294967297", false),
        ("2305843009213693951", true),
        ("18446744073709551557", true),
        ("18446744073709551615", false),
    ];

    [Fact]
    public async Task Known_values_are_classified_correctly_in_order()
    {
        var json = (await CliProcess.RunAsync(["is-prime", .. Known.Select(k => k.Value), "--json", "--in-process"])).Json();
        Assert.Equal("is-prime", json.GetProperty("command").GetString());
        var values = json.GetProperty("values").EnumerateArray().Select(JsonRead.Integer).ToArray();
        Assert.Equal(Known.Select(k => System.Numerics.BigInteger.Parse(k.Value, System.Globalization.CultureInfo.InvariantCulture)), values);
        Assert.Equal(Known.Select(k => k.Prime), JsonRead.Booleans(json, "results"));
        // the independent test agrees with the table above
        Assert.All(Known, k => Assert.Equal(k.Prime, ReferencePrimality.IsPrime(ulong.Parse(k.Value, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task Human_output_is_one_line_per_value()
    {
        var lines = (await CliProcess.RunAsync("is-prime", "18446744073709551557", "18446744073709551615", "1e9", "--in-process")).Text();
        Assert.Equal(
            ["18446744073709551557 is prime", "18446744073709551615 is not prime", "1000000000 is not prime"],
            lines);
    }

    [Fact]
    public async Task Values_beyond_2_pow_53_are_json_strings_and_smaller_ones_numbers()
    {
        var json = (await CliProcess.RunAsync("is-prime", "9007199254740992", "9007199254740993", "--json", "--in-process")).Json();
        var values = json.GetProperty("values").EnumerateArray().ToArray();
        Assert.Equal(System.Text.Json.JsonValueKind.Number, values[0].ValueKind);
        Assert.Equal("9007199254740992", values[0].GetRawText());
        Assert.Equal("9007199254740993", values[1].GetString());
        Assert.Equal([false, ReferencePrimality.IsPrime(9007199254740993)], JsonRead.Booleans(json, "results"));
    }
}
