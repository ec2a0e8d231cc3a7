using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class PrimesCountTests
{
    public static TheoryData<ulong> SievePoints => Reference.PrimeCountPointsUpTo(1_000_000_000);

    public static TheoryData<ulong> MillerRabinPoints => Reference.PrimeCountPointsUpTo(10_000_000);

    public static TheoryData<ulong> TrialPoints => Reference.PrimeCountPointsUpTo(1_000_000);

    [Theory]
    [MemberData(nameof(SievePoints))]
    public async Task Sieve_count_up_to_x_matches_pi_of_x(ulong x) =>
        await AssertCount("sieve", 0, x, Reference.Pi(x));

    [Theory]
    [MemberData(nameof(MillerRabinPoints))]
    public async Task Miller_rabin_count_up_to_x_matches_pi_of_x(ulong x) =>
        await AssertCount("miller-rabin", 0, x, Reference.Pi(x));

    [Theory]
    [MemberData(nameof(TrialPoints))]
    public async Task Trial_count_up_to_x_matches_pi_of_x(ulong x) =>
        await AssertCount("trial", 0, x, Reference.Pi(x));

    [Theory]
    [InlineData("sieve")]
    [InlineData("miller-rabin")]
    [InlineData("trial")]
    public async Task Count_between_powers_of_ten_is_the_difference_of_pi(string method) =>
        await AssertCount(method, 100_001, 1_000_000, Reference.Pi(1_000_000) - Reference.Pi(100_000));

    [Theory]
    [InlineData("sieve", 2, 2, 1)]
    [InlineData("sieve", 0, 1, 0)]
    [InlineData("sieve", 0, 0, 0)]
    [InlineData("sieve", 7, 7, 1)]
    [InlineData("sieve", 8, 10, 0)]
    [InlineData("miller-rabin", 2, 3, 2)]
    [InlineData("trial", 0, 2, 1)]
    public async Task Both_ends_of_the_range_are_included(string method, ulong from, ulong to, ulong expected) =>
        await AssertCount(method, from, to, expected);

    [Theory]
    [InlineData("sieve")]
    [InlineData("miller-rabin")]
    public async Task Count_in_the_last_ten_thousand_numbers_below_2_pow_64_matches_an_independent_test(string method)
    {
        const ulong first = ulong.MaxValue - 9_999;
        var json = await AssertCount(method, first, ulong.MaxValue, ReferencePrimality.CountPrimes(first, ulong.MaxValue));
        Assert.Equal("18446744073709541616", json.GetProperty("from").GetString());
        Assert.Equal("18446744073709551615", json.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Count_above_10_pow_12_matches_an_independent_test()
    {
        const ulong first = 1_000_000_000_000;
        const ulong last = first + 100_000;
        await AssertCount("sieve", first, last, ReferencePrimality.CountPrimes(first, last));
    }

    [Fact]
    public async Task Default_method_is_the_sieve_and_from_defaults_to_0()
    {
        var json = (await CliProcess.RunAsync("primes", "count", "--to", "1000", "--json", "--in-process")).Json();
        Assert.Equal("sieve", json.GetProperty("method").GetString());
        Assert.Equal(0, JsonRead.Integer(json, "from"));
        Assert.Equal(Reference.Pi(1000), JsonRead.Integer(json, "count"));
    }

    [Fact]
    public async Task Power_of_ten_forms_and_separators_are_read_exactly()
    {
        var json = (await CliProcess.RunAsync("primes", "count", "--from", "1e10", "--to", "10_000_000_000", "--json", "--in-process")).Json();
        Assert.Equal(10_000_000_000, JsonRead.Integer(json, "from"));
        Assert.Equal(10_000_000_000, JsonRead.Integer(json, "to"));
        Assert.Equal(0, JsonRead.Integer(json, "count")); // 10^10 is even

        var upper = (await CliProcess.RunAsync("primes", "count", "--to", "1E6", "--json", "--in-process")).Json();
        Assert.Equal(Reference.Pi(1_000_000), JsonRead.Integer(upper, "count"));
    }

    [Fact]
    public async Task Json_has_the_documented_fields()
    {
        var json = (await CliProcess.RunAsync("primes", "count", "--to", "100000", "--json", "--in-process")).Json();
        Assert.Equal("primes count", json.GetProperty("command").GetString());
        Assert.Equal("in-process", json.GetProperty("mode").GetString());
        Assert.Equal(100_000, JsonRead.Integer(json, "to"));
        Assert.Equal(Reference.Pi(100_000), JsonRead.Integer(json, "count"));
        Assert.Equal(Environment.ProcessorCount, json.GetProperty("workers").GetInt32());
        Assert.True(json.GetProperty("elapsedMs").GetDouble() >= 0);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("chunkSize").ValueKind);
    }

    [Fact]
    public async Task Human_output_names_the_count_and_the_range()
    {
        var lines = (await CliProcess.RunAsync("primes", "count", "--to", "1000000", "--in-process")).Text();
        Assert.Equal($"Found {Reference.Pi(1_000_000)} primes from 0 to 1,000,000 (both included)", lines[0]);
        Assert.StartsWith("Took ", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Count);
    }

    private static async Task<System.Text.Json.JsonElement> AssertCount(string method, ulong from, ulong to, ulong expected)
    {
        var result = await CliProcess.RunAsync(
            "primes", "count", "--from", from.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--to", to.ToString(System.Globalization.CultureInfo.InvariantCulture), "--method", method, "--json", "--in-process");
        var json = result.Json();
        Assert.Equal(expected, JsonRead.Integer(json, "count"));
        Assert.Equal(method, json.GetProperty("method").GetString());
        Assert.Equal(from, JsonRead.Integer(json, "from"));
        Assert.Equal(to, JsonRead.Integer(json, "to"));
        return json;
    }
}
