using System.Text.Json;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class GlobalOptionTests
{
    public static TheoryData<string[], string> HelpCases => new()
    {
        { ["--help"], "Usage: grainpool <command>" },
        { ["-h"], "Usage: grainpool <command>" },
        { ["primes", "--help"], "Usage: grainpool primes <command>" },
        { ["primes", "count", "--help"], "Usage: grainpool primes count" },
        { ["primes", "map", "-h"], "Usage: grainpool primes map" },
        { ["is-prime", "--help"], "Usage: grainpool is-prime" },
        { ["sqrt-sum", "--help"], "Usage: grainpool sqrt-sum" },
        { ["square-sum", "--n", "not-a-number", "--help"], "Usage: grainpool square-sum" },
    };

    [Theory]
    [MemberData(nameof(HelpCases))]
    public async Task Help_is_printed_on_stdout_with_exit_0(string[] args, string usage)
    {
        var lines = (await CliProcess.RunAsync(args)).Text();
        Assert.StartsWith(usage, lines.First(l => l.StartsWith("Usage:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("--help", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Version_is_one_line_with_exit_0()
    {
        var line = Assert.Single((await CliProcess.RunAsync("--version")).Text());
        Assert.Matches(@"^grainpool \d+\.\d+\.\d+", line);
    }

    [Theory]
    [InlineData("primes", "count", "--to", "2e7")]
    [InlineData("primes", "count", "--to", "2e6", "--method", "miller-rabin")]
    [InlineData("primes", "map", "--upto", "50000")]
    [InlineData("sqrt-sum", "--n", "3e6", "--repeat", "2")]
    [InlineData("square-sum", "--n", "5e6")]
    [InlineData("is-prime", "97", "98", "18446744073709551557")]
    public async Task One_thread_and_the_default_give_identical_results(params string[] args)
    {
        var single = (await CliProcess.RunAsync([.. args, "--threads", "1", "--json", "--in-process"])).Json();
        var all = (await CliProcess.RunAsync([.. args, "--json", "--in-process"])).Json();
        Assert.Equal(1, single.GetProperty("workers").GetInt32());
        Assert.Equal(Environment.ProcessorCount, all.GetProperty("workers").GetInt32());
        Assert.Equal(ResultFields(all), ResultFields(single));
    }

    [Theory]
    [InlineData("primes", "count", "--to", "1e6")]
    [InlineData("sqrt-sum", "--n", "1e6")]
    [InlineData("square-sum", "--n", "1e6")]
    [InlineData("primes", "map", "--upto", "1e4")]
    public async Task Chunk_size_and_thread_count_do_not_change_results(params string[] args)
    {
        var reference = (await CliProcess.RunAsync([.. args, "--json", "--in-process"])).Json();
        var odd = (await CliProcess.RunAsync([.. args, "--json", "--threads", "3", "--chunk-size", "7_777", "--in-process"])).Json();
        Assert.Equal(7777, JsonRead.Integer(odd, "chunkSize"));
        Assert.Equal(3, odd.GetProperty("workers").GetInt32());
        Assert.Equal(ResultFields(reference), ResultFields(odd));
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
    [InlineData("primes", "count", "--to", "1e8")]
    [InlineData("primes", "map", "--upto", "20000", "--method", "miller-rabin")]
    [InlineData("sqrt-sum", "--n", "3e6", "--repeat", "3")]
    [InlineData("is-prime", "97", "98", "18446744073709551557")]
    public async Task The_embedded_cluster_and_in_process_threads_give_identical_results(params string[] args)
    {
        var threads = (await CliProcess.RunAsync([.. args, "--json", "--in-process"])).Json();
        var cluster = (await CliProcess.RunAsync([.. args, "--json", "--chunk-size", "65_537"])).Json();
        Assert.Equal("embedded", cluster.GetProperty("mode").GetString());
        Assert.Equal(ResultFields(threads), ResultFields(cluster));
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

    // Everything but the run's circumstances (where, timing, worker and silo counts, chunk size).
    private static string ResultFields(JsonElement json) =>
        string.Join(",", json.EnumerateObject()
            .Where(p => p.Name is not ("elapsedMs" or "workers" or "silos" or "chunkSize" or "mode"))
            .Select(p => $"{p.Name}={p.Value.GetRawText()}"));
}
