using System.Globalization;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

/// <summary><c>grainpool demo</c>: the tutorial's three programs on one worker and on all, each result checked.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_at_tutorial_size_prints_the_tutorials_lines_then_a_checked_table()
    {
        var lines = (await CliProcess.RunAsync("demo", "--tutorial-size")).Text();
        // tests/reference/seed-expected.md: what the seed's three programs print.
        var sum = Independent.SquareSum(0, 10_000_000).ToString(CultureInfo.InvariantCulture);
        Assert.Equal("333333283333335000000", sum);
        Assert.Equal(
            [
                $"[Worker-1] done. sum={sum}",
                $"[Worker-2] done. sum={sum}",
                "Both processes finished",
                $"Found {Reference.Pi(100_000)} primes up to 100,000",
                "Done. First result: 666666166.46",
                string.Empty,
            ],
            lines.Take(6));

        var workers = Environment.ProcessorCount == 1 ? "1 worker" : $"{Environment.ProcessorCount} workers";
        Assert.Matches($"^program +input +result +1 worker +{workers} +speedup +check$", lines[6]);
        var rows = lines.Skip(7).Take(3).ToArray();
        Assert.StartsWith("heavy_task", rows[0], StringComparison.Ordinal);
        Assert.Contains("333333283333335000000", rows[0], StringComparison.Ordinal);
        Assert.Contains("9592 primes", rows[1], StringComparison.Ordinal);
        Assert.Contains("666666166.4588221", rows[2], StringComparison.Ordinal);
        Assert.All(rows, row => Assert.Matches(@"[0-9.]+x +ok: ", row));
        Assert.Equal($"cluster: embedded, 1 silo, {workers}", lines[^1]);
    }

    [Fact]
    public async Task The_readmes_demo_at_its_default_size_runs_on_the_embedded_cluster_with_results_from_references()
    {
        // The README's main command, as a new user runs it (its default, scaled-up inputs), here with --json.
        var json = (await CliProcess.RunAsync("demo", "--json")).Json();

        Assert.Equal("embedded", json.GetProperty("mode").GetString());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());
        Assert.Equal(Environment.ProcessorCount, json.GetProperty("workers").GetInt32());
        var programs = json.GetProperty("programs").EnumerateArray().ToDictionary(p => p.GetProperty("program").GetString()!);
        Assert.Equal(3, programs.Count);

        var heavy = programs["heavy_task"];
        var n = heavy.GetProperty("n").GetUInt64();
        Assert.True(n >= 10_000_000, $"heavy_task n = {n}");
        Assert.Equal(Independent.SquareSum(0, n).ToString(CultureInfo.InvariantCulture), heavy.GetProperty("result").GetString());

        var map = programs["pool_map_is_prime"];
        Assert.Equal(Reference.Pi(map.GetProperty("upto").GetUInt64()), map.GetProperty("result").GetUInt64());

        var compute = programs["process_pool_compute"];
        var terms = compute.GetProperty("n").GetUInt64();
        var (_, exactRounded, _) = Reference.SqrtSums.Single(s => s.N == terms);
        Assert.Equal(double.Parse(exactRounded, CultureInfo.InvariantCulture), compute.GetProperty("result").GetDouble());

        Assert.All(programs.Values, p =>
        {
            Assert.True(p.GetProperty("ok").GetBoolean());
            Assert.Equal(Environment.ProcessorCount, p.GetProperty("allWorkers").GetInt32());
            Assert.True(p.GetProperty("oneWorkerMs").GetDouble() > 0 && p.GetProperty("allWorkersMs").GetDouble() > 0);
        });
    }

    [Fact]
    public async Task Demo_runs_in_process_as_the_baseline()
    {
        var json = (await CliProcess.RunAsync("demo", "--tutorial-size", "--in-process", "--json")).Json();
        Assert.Equal("in-process", json.GetProperty("mode").GetString());
        Assert.Equal(0, json.GetProperty("silos").GetInt32());
        Assert.Equal(Environment.ProcessorCount, json.GetProperty("workers").GetInt32());
        var programs = json.GetProperty("programs").EnumerateArray().ToArray();
        Assert.Equal(3, programs.Length);
        Assert.All(programs, p => Assert.True(p.GetProperty("ok").GetBoolean()));
        Assert.All(programs, p => Assert.True(p.GetProperty("oneWorkerMs").GetDouble() > 0 && p.GetProperty("allWorkersMs").GetDouble() > 0));
        Assert.Equal(
            ["[Worker-1] done. sum=333333283333335000000", "[Worker-2] done. sum=333333283333335000000", "Both processes finished"],
            programs[0].GetProperty("output").EnumerateArray().Select(l => l.GetString()));
    }
}
