using System.Globalization;
using System.Numerics;
using System.Text.Json;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class GlobalOptionTests
{
    public static TheoryData<string[], string> HelpCases => new()
    {
        { ["--help"], "grainpool [command] [options]" },
        { ["-h"], "grainpool [command] [options]" },
        { ["primes", "--help"], "grainpool primes [command] [options]" },
        { ["primes", "count", "--help"], "grainpool primes count [options]" },
        { ["primes", "map", "-h"], "grainpool primes map [options]" },
        { ["is-prime", "--help"], "grainpool is-prime <N>... [options]" },
        { ["sqrt-sum", "--help"], "grainpool sqrt-sum [options]" },
        { ["square-sum", "--n", "not-a-number", "--help"], "grainpool square-sum [options]" },
        { ["silo", "--help"], "grainpool silo [options]" },
        { ["stack", "-h"], "grainpool stack [options]" },
    };

    [Theory]
    [MemberData(nameof(HelpCases))]
    public async Task Help_is_printed_on_stdout_with_exit_0(string[] args, string usage)
    {
        var lines = (await CliProcess.RunAsync(args)).Text();
        // System.CommandLine's help: the usage line under "Usage:", the options with --help among them.
        var usageLine = lines.SkipWhile(l => l != "Usage:").Skip(1).First();
        Assert.StartsWith("  " + usage, usageLine, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("--help", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cluster_host_that_does_not_resolve_is_one_error_line_naming_the_option_when_the_command_connects() =>
        (await CliProcess.RunAsync("--cluster", "nosuchhost.invalid:30000", "primes", "count", "--to", "10"))
            .UsageError("--cluster: 'nosuchhost.invalid:30000' Gateway host 'nosuchhost.invalid' does not resolve");

    [Fact]
    public async Task Version_is_one_line_with_the_package_version_and_commit_and_exit_0()
    {
        var line = Assert.Single((await CliProcess.RunAsync("--version")).Text());
        // The package version (VersionPrefix) and the commit the SDK read from git (the tests run in a clone).
        Assert.Matches(@"^grainpool \d+\.\d+\.\d+ \(commit [0-9a-f]{7}\)$", line);
    }

    /// <summary>
    /// Jobs whose results are checked against values computed here without the program: the reference sieve
    /// (tests/Shared), the public tables (tests/reference) and <see cref="Independent"/>. Never against another run.
    /// </summary>
    private static readonly Dictionary<string, (string[] Args, Action<JsonElement> AssertExact)> Jobs = new()
    {
        ["count 2e7"] = (["primes", "count", "--to", "2e7"], json => AssertCount(json, 0, 20_000_000)),
        ["count 2e6 miller-rabin"] = (["primes", "count", "--to", "2e6", "--method", "miller-rabin"], json => AssertCount(json, 0, 2_000_000)),
        ["count 1e6"] = (["primes", "count", "--to", "1e6"], json => Assert.Equal(Reference.Pi(1_000_000), JsonRead.Integer(json, "count"))),
        ["count 1e8"] = (["primes", "count", "--to", "1e8"], json => Assert.Equal(Reference.Pi(100_000_000), JsonRead.Integer(json, "count"))),
        ["map 50000"] = (["primes", "map", "--upto", "50000"], json => AssertMap(json, 50_000)),
        ["map 1e4"] = (["primes", "map", "--upto", "1e4"], json => AssertMap(json, 10_000)),
        ["map 20000 miller-rabin"] = (["primes", "map", "--upto", "20000", "--method", "miller-rabin"], json => AssertMap(json, 20_000)),
        ["sqrt-sum 3e6 x2"] = (["sqrt-sum", "--n", "3e6", "--repeat", "2"], json => AssertSqrtSums(json, Independent.SqrtSum(0, 3_000_000), 2)),
        ["sqrt-sum 3e6 x3"] = (["sqrt-sum", "--n", "3e6", "--repeat", "3"], json => AssertSqrtSums(json, Independent.SqrtSum(0, 3_000_000), 3)),
        ["sqrt-sum 1e6"] = (["sqrt-sum", "--n", "1e6"], json => AssertSqrtSums(json, double.Parse(Reference.SqrtSums.Single(r => r.N == 1_000_000).ExactRounded, CultureInfo.InvariantCulture), 1)),
        ["square-sum 5e6"] = (["square-sum", "--n", "5e6"], json => Assert.Equal(Independent.SquareSum(0, 5_000_000), JsonRead.Integer(json, "sum"))),
        ["square-sum 1e6"] = (["square-sum", "--n", "1e6"], json => Assert.Equal(Independent.SquareSum(0, 1_000_000), JsonRead.Integer(json, "sum"))),
        ["is-prime"] = (["is-prime", "97", "98", "18446744073709551557"], json =>
        {
            BigInteger[] values = [97, 98, BigInteger.Parse("18446744073709551557", CultureInfo.InvariantCulture)];
            Assert.Equal(values, json.GetProperty("values").EnumerateArray().Select(JsonRead.Integer));
            Assert.Equal(values.Select(v => ReferencePrimality.IsPrime((ulong)v)), JsonRead.Booleans(json, "results"));
        }),
    };

    [Theory]
    [InlineData("count 2e7")]
    [InlineData("count 2e6 miller-rabin")]
    [InlineData("map 50000")]
    [InlineData("sqrt-sum 3e6 x2")]
    [InlineData("square-sum 5e6")]
    [InlineData("is-prime")]
    public async Task One_thread_and_the_default_both_give_the_independent_results(string job)
    {
        var (args, assertExact) = Jobs[job];
        var single = (await CliProcess.RunAsync([.. args, "--threads", "1", "--json", "--in-process"])).Json();
        var all = (await CliProcess.RunAsync([.. args, "--json", "--in-process"])).Json();
        Assert.Equal(1, single.GetProperty("workers").GetInt32());
        Assert.Equal(Environment.ProcessorCount, all.GetProperty("workers").GetInt32());
        assertExact(single);
        assertExact(all);
    }

    [Theory]
    [InlineData("count 1e6")]
    [InlineData("sqrt-sum 1e6")]
    [InlineData("square-sum 1e6")]
    [InlineData("map 1e4")]
    public async Task Chunk_size_and_thread_count_do_not_change_results(string job)
    {
        var (args, assertExact) = Jobs[job];
        var defaults = (await CliProcess.RunAsync([.. args, "--json", "--in-process"])).Json();
        var odd = (await CliProcess.RunAsync([.. args, "--json", "--threads", "3", "--chunk-size", "7_777", "--in-process"])).Json();
        Assert.Equal(7777, JsonRead.Integer(odd, "chunkSize"));
        Assert.Equal(3, odd.GetProperty("workers").GetInt32());
        assertExact(defaults);
        assertExact(odd);
    }

    [Theory]
    [InlineData("--in-process")]
    [InlineData("--threads=2")]
    public async Task Json_reports_the_chunks_actually_used_a_fixed_size_exactly_and_paced_ones_in_order(string mode)
    {
        // range(0, 10^6) in chunks of 300,000: three full chunks and the 100,000 left, whichever runner takes them.
        var fixedSize = (await CliProcess.RunAsync("square-sum", "--n", "1e6", "--chunk-size", "300_000", "--json", mode)).Json();
        Assert.Equal(4, fixedSize.GetProperty("chunks").GetInt64());
        Assert.Equal(100_000, JsonRead.Integer(fixedSize, "smallestChunk"));
        Assert.Equal(300_000, JsonRead.Integer(fixedSize, "medianChunk"));
        Assert.Equal(300_000, JsonRead.Integer(fixedSize, "largestChunk"));

        var paced = (await CliProcess.RunAsync("primes", "count", "--to", "1e6", "--method", "trial", "--json", mode)).Json();
        Assert.Equal(JsonValueKind.Null, paced.GetProperty("chunkSize").ValueKind);
        Assert.True(paced.GetProperty("chunks").GetInt64() >= 1);
        Assert.InRange(JsonRead.Integer(paced, "smallestChunk"), BigInteger.One, JsonRead.Integer(paced, "medianChunk"));
        Assert.InRange(JsonRead.Integer(paced, "largestChunk"), JsonRead.Integer(paced, "medianChunk"), new BigInteger(1_000_001));
    }

    [Fact]
    public async Task Global_options_may_come_before_the_command()
    {
        var json = (await CliProcess.RunAsync("--json", "--threads=1", "--in-process", "square-sum", "--n=10")).Json();
        Assert.Equal(285, JsonRead.Integer(json, "sum"));
        Assert.Equal(1, json.GetProperty("workers").GetInt32());
        Assert.Equal("in-process", json.GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData("count 1e8")]
    [InlineData("map 20000 miller-rabin")]
    [InlineData("sqrt-sum 3e6 x3")]
    [InlineData("is-prime")]
    public async Task The_embedded_cluster_and_in_process_threads_both_give_the_independent_results(string job)
    {
        var (args, assertExact) = Jobs[job];
        var threads = (await CliProcess.RunAsync([.. args, "--json", "--in-process"])).Json();
        var cluster = (await CliProcess.RunAsync([.. args, "--json", "--chunk-size", "65_537"])).Json();
        Assert.Equal("in-process", threads.GetProperty("mode").GetString());
        Assert.Equal("embedded", cluster.GetProperty("mode").GetString());
        assertExact(threads);
        assertExact(cluster);
    }

    [Fact]
    public async Task Help_names_the_modes_and_the_cluster_commands()
    {
        var help = string.Join('\n', (await CliProcess.RunAsync("--help")).Text());
        foreach (var word in new[] { "--in-process", "--silos N", "--cluster H:P", "--cluster-id", "embedded", "demo", "silo" })
        {
            Assert.Contains(word, help, StringComparison.Ordinal);
        }
    }

    private static void AssertCount(JsonElement json, ulong from, ulong to)
    {
        Assert.Equal(from, JsonRead.Integer(json, "from"));
        Assert.Equal(to, JsonRead.Integer(json, "to"));
        Assert.Equal(ReferenceSieve.Shared.Count(from, to), JsonRead.Integer(json, "count"));
    }

    // The tutorial's Pool.map(is_prime, range(1, upto + 1)): result i is whether i + 1 is prime.
    private static void AssertMap(JsonElement json, int upto)
    {
        Assert.Equal(upto, JsonRead.Integer(json, "upto"));
        var expected = Enumerable.Range(1, upto).Select(n => ReferenceSieve.Shared.IsPrime((ulong)n)).ToArray();
        Assert.Equal(expected, JsonRead.Booleans(json, "results"));
        Assert.Equal(expected.Count(p => p), JsonRead.Integer(json, "count"));
    }

    private static void AssertSqrtSums(JsonElement json, double exact, int repeat)
    {
        Assert.Equal(exact, json.GetProperty("sum").GetDouble());
        Assert.Equal(Enumerable.Repeat(exact, repeat), JsonRead.Doubles(json, "results"));
    }
}
