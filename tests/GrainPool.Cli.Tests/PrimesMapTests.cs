using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class PrimesMapTests
{
    [Fact]
    public async Task Map_up_to_100000_prints_the_tutorials_line()
    {
        var lines = (await CliProcess.RunAsync("primes", "map", "--upto", "100000", "--in-process")).Text();
        // The tutorial's expected output, with pi(10^5) from the reference table.
        Assert.Equal("Found 9592 primes up to 100,000", lines[0]);
        Assert.Equal($"Found {Reference.Pi(100_000)} primes up to 100,000", lines[0]);
        Assert.StartsWith("Took ", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trial")]
    [InlineData("miller-rabin")]
    public async Task Map_returns_one_result_per_number_in_input_order(string method)
    {
        var json = (await CliProcess.RunAsync("primes", "map", "--upto", "100_000", "--method", method, "--json", "--in-process")).Json();
        Assert.Equal("primes map", json.GetProperty("command").GetString());
        Assert.Equal(method, json.GetProperty("method").GetString());
        Assert.Equal(100_000, JsonRead.Integer(json, "upto"));
        Assert.Equal(Reference.Pi(100_000), JsonRead.Integer(json, "count"));

        var results = JsonRead.Booleans(json, "results");
        Assert.Equal(100_000, results.Length);
        Assert.Equal((int)Reference.Pi(100_000), results.Count(r => r));
        // result i belongs to item i + 1: spot-check the order against an independent test
        foreach (var n in new[] { 1, 2, 3, 4, 97, 561, 7919, 9973, 65537, 99991, 99999, 100000 })
        {
            Assert.True(ReferencePrimality.IsPrime((ulong)n) == results[n - 1], $"result for {n}");
        }
    }

    [Fact]
    public async Task Map_counts_agree_with_the_reference_at_every_power_of_ten()
    {
        var json = (await CliProcess.RunAsync("primes", "map", "--upto", "1e6", "--method", "miller-rabin", "--json", "--in-process")).Json();
        var results = JsonRead.Booleans(json, "results");
        foreach (var x in new[] { 10, 100, 1000, 10_000, 100_000, 1_000_000 })
        {
            Assert.Equal((int)Reference.Pi((ulong)x), results.Take(x).Count(r => r));
        }
    }

    [Fact]
    public async Task Map_of_an_empty_list_has_no_results()
    {
        var json = (await CliProcess.RunAsync("primes", "map", "--upto", "0", "--json", "--in-process")).Json();
        Assert.Equal(0, JsonRead.Integer(json, "count"));
        Assert.Empty(JsonRead.Booleans(json, "results"));
    }

    [Fact]
    public async Task Map_default_method_is_the_tutorials_trial_division()
    {
        var json = (await CliProcess.RunAsync("primes", "map", "--upto", "10", "--json", "--in-process")).Json();
        Assert.Equal("trial", json.GetProperty("method").GetString());
        Assert.Equal(
            [false, true, true, false, true, false, true, false, false, false],
            JsonRead.Booleans(json, "results"));
    }
}
