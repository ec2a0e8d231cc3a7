using System.Globalization;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class SquareSumTests
{
    [Fact]
    public async Task Tutorial_heavy_task_sum_is_exact_and_a_json_string()
    {
        var json = (await CliProcess.RunAsync("square-sum", "--n", "10_000_000", "--json", "--in-process")).Json();
        Assert.Equal("square-sum", json.GetProperty("command").GetString());
        // tests/reference/seed-expected.md: sum(i**2 for i in range(10_000_000))
        Assert.Equal("333333283333335000000", json.GetProperty("sum").GetString());
        Assert.Equal(Independent.SquareSum(0, 10_000_000), JsonRead.Integer(json, "sum"));
    }

    [Fact]
    public async Task Human_output_prints_the_exact_sum()
    {
        var lines = (await CliProcess.RunAsync("square-sum", "--n", "1e7", "--in-process")).Text();
        Assert.Equal("Done. sum=333333283333335000000", lines[0]);
    }

    [Theory]
    [InlineData(0UL, 0UL)]
    [InlineData(0UL, 1UL)]
    [InlineData(0UL, 10UL)]
    [InlineData(3UL, 4UL)]
    [InlineData(1_000UL, 2_000_000UL)]
    [InlineData(9_999_999_000_000UL, 10_000_000_000_000UL)]
    public async Task Sum_matches_the_closed_form(ulong from, ulong n)
    {
        var json = (await CliProcess.RunAsync(
            "square-sum", "--from", from.ToString(CultureInfo.InvariantCulture), "--n", n.ToString(CultureInfo.InvariantCulture), "--json", "--in-process")).Json();
        Assert.Equal(Independent.SquareSum(from, n), JsonRead.Integer(json, "sum"));
    }
}
