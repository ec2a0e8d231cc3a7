using System.Globalization;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class SqrtSumTests
{
    public static TheoryData<ulong, string> ReferenceRows
    {
        get
        {
            var rows = new TheoryData<ulong, string>();
            foreach (var row in Reference.SqrtSums.Where(row => row.N <= 100_000_000))
            {
                rows.Add(row.N, row.ExactRounded);
            }

            return rows;
        }
    }

    [Theory]
    [MemberData(nameof(ReferenceRows))]
    public async Task Sum_matches_the_correctly_rounded_reference_bit_for_bit(ulong n, string exactRounded)
    {
        var json = (await CliProcess.RunAsync("sqrt-sum", "--n", n.ToString(CultureInfo.InvariantCulture), "--json", "--in-process")).Json();
        var expected = double.Parse(exactRounded, CultureInfo.InvariantCulture);
        AssertSameDouble(expected, json.GetProperty("sum").GetDouble());
        // round-trip form: the shortest text for the double, which is what the reference prints
        Assert.Equal(exactRounded, json.GetProperty("sum").GetRawText());
    }

    [Fact]
    public async Task Tutorial_job_repeated_8_times_gives_8_equal_correctly_rounded_results()
    {
        var json = (await CliProcess.RunAsync("sqrt-sum", "--n", "1_000_000", "--repeat", "8", "--json", "--in-process")).Json();
        Assert.Equal(8, JsonRead.Integer(json, "repeat"));
        var results = JsonRead.Doubles(json, "results");
        Assert.Equal(8, results.Length);
        Assert.All(results, r => AssertSameDouble(666666166.4588221, r));
        Assert.Equal("666666166.4588221", json.GetProperty("sum").GetRawText());
    }

    [Fact]
    public async Task Human_output_starts_with_the_tutorials_line()
    {
        var lines = (await CliProcess.RunAsync("sqrt-sum", "--n", "1e6", "--repeat", "2", "--in-process")).Text();
        Assert.Equal("Done. First result: 666666166.46", lines[0]);
        Assert.Contains("666666166.4588221", lines[1], StringComparison.Ordinal);
        Assert.Contains("2 jobs, all results equal", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_with_a_start_matches_an_independent_exact_sum()
    {
        var json = (await CliProcess.RunAsync("sqrt-sum", "--from", "12345", "--n", "212345", "--json", "--in-process")).Json();
        Assert.Equal(12345, JsonRead.Integer(json, "from"));
        Assert.Equal(212345, JsonRead.Integer(json, "n"));
        AssertSameDouble(Independent.SqrtSum(12345, 212345), json.GetProperty("sum").GetDouble());
    }

    [Fact]
    public async Task Last_two_terms_below_the_limit_sum_to_one_ieee_addition()
    {
        // One IEEE addition of two doubles is itself correctly rounded: an independent value at the top of the range.
        const ulong limit = 1UL << 50;
        var json = (await CliProcess.RunAsync("sqrt-sum", "--from", (limit - 2).ToString(CultureInfo.InvariantCulture), "--n", "1125899906842624", "--json", "--in-process")).Json();
        AssertSameDouble(Math.Sqrt(limit - 2) + Math.Sqrt(limit - 1), json.GetProperty("sum").GetDouble());
    }

    [Fact]
    public async Task Empty_range_sums_to_zero()
    {
        var json = (await CliProcess.RunAsync("sqrt-sum", "--from", "500", "--n", "500", "--repeat", "3", "--json", "--in-process")).Json();
        Assert.All(JsonRead.Doubles(json, "results"), r => AssertSameDouble(0.0, r));
        Assert.Equal(3, JsonRead.Doubles(json, "results").Length);
    }

    private static void AssertSameDouble(double expected, double actual) =>
        Assert.True(
            BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"expected {expected:R}, got {actual:R}");
}
