using System.Diagnostics;
using System.Globalization;
using System.Text;
using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using Xunit.Abstractions;

namespace GrainPool.Cli.Tests;

/// <summary>
/// The soak (not in the default run: <c>./test.sh --filter Category=Soak</c>; GRAINPOOL_SOAK_MINUTES sets its length,
/// 10 by default): three <c>grainpool silo</c> processes on Redis membership under mixed load (range counts, maps,
/// single is-prime calls, all at once), with one of two of them killed and started again every minute while the third
/// lives through the whole run. No result may be lost or delivered twice, every answer is checked, and the memory and
/// thread count of the silo that is never killed must stay flat: its RSS at the end within 1.5x its level after the
/// first minute. GRAINPOOL_SOAK_KILL_SECONDS (60 by default) sets the time between kills, to pack more kills into a
/// run. Beside RSS and threads, each sample records what the RSS is made of: the managed heap and the GC's committed
/// memory, the methods the JIT has compiled so far and the resident generated code. The figures go to the test output
/// and to artifacts/tests/soak/soak.md.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Soak)]
public sealed class SoakTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const ulong CountTo = 1_000_000_000;

    [Fact]
    public async Task Ten_minutes_of_mixed_load_with_a_silo_killed_and_restarted_every_minute_lose_and_duplicate_nothing_and_leave_the_survivor_flat()
    {
        var minutes = Setting("GRAINPOOL_SOAK_MINUTES", 10);
        var killEvery = TimeSpan.FromSeconds(Setting("GRAINPOOL_SOAK_KILL_SECONDS", 60));
        var clusterId = "soak-" + Guid.NewGuid().ToString("N")[..8];
        var silos = await RedisSilo.StartManyAsync(redis, clusterId, 3);
        var all = new List<RedisSilo>(silos);
        try
        {
            var survivor = silos[0];
            await using var connection = await GrainPoolConnection.ConnectThroughRedisAsync(redis.Endpoint, clusterId);
            var client = connection.Client;
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
            var counts = new Counter();
            var random = new Random(20261203);

            var load = new[]
            {
                Task.Run(() => RangesAsync(client, counts, stop.Token)),
                Task.Run(() => MapsAsync(client, counts, 1, stop.Token)),
                Task.Run(() => MapsAsync(client, counts, 2, stop.Token)),
                Task.Run(() => SinglesAsync(client, counts, stop.Token)),
            };

            var samples = new List<Sample>();
            var clock = Stopwatch.StartNew();
            var nextKill = killEvery;
            var kills = 0;
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None);
                var (heap, committed, full) = await survivor.GcAsync();
                var pid = survivor.Process.Id;
                samples.Add(new(clock.Elapsed.TotalMinutes, kills, ProcStatus.RssMegabytes(pid), ProcStatus.Threads(pid), heap, committed, full, await survivor.JitCompiledMethodsAsync(), ProcStatus.CodeMegabytes(pid)));
                if (clock.Elapsed >= nextKill && !stop.IsCancellationRequested)
                {
                    nextKill += killEvery;
                    var slot = 1 + random.Next(2);
                    var victim = silos[slot];
                    await victim.KillAsync();
                    kills++;
                    var replacement = RedisSilo.Start(redis, clusterId, victim.Address);
                    all.Add(replacement);
                    await replacement.ReadyAsync();
                    silos[slot] = replacement;
                }
            }

            await Task.WhenAll(load);
            var afterFirst = samples.First(s => s.Minute >= 1);
            var last = samples[^1];
            var report = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"# Soak: {minutes} min, {kills} silos killed and restarted (one every {killEvery.TotalSeconds:0} s)")
                .AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"Jobs: {counts.Ranges} range counts, {counts.Maps} maps ({counts.Items:N0} items), {counts.Singles:N0} single is-prime calls; every answer checked, no item lost or delivered twice.")
                .AppendLine()
                .AppendLine("| minute | kills so far | survivor RSS (MB) | survivor threads | managed heap after the last GC (MB) | GC committed then (MB) | full GCs so far | methods jitted so far | generated code resident (MB) |")
                .AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var s in samples.Where((_, i) => i % 6 == 0).Append(last))
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {s.Minute:0.0} | {s.Kills} | {s.RssMb:0} | {s.Threads} | {s.HeapMb:0.0} | {s.CommittedMb:0.0} | {s.FullCollections:0} | {s.JitMethods:0} | {s.CodeMb:0.0} |");
            }

            var text = report.ToString();
            output.WriteLine(text);
            var folder = TestArtifacts.Folder("soak");
            await File.WriteAllTextAsync(Path.Combine(folder, "soak.md"), text);

            var expectedKills = (int)(TimeSpan.FromMinutes(minutes) / killEvery) - 1;
            Assert.True(kills >= expectedKills, $"{kills} kills in {minutes} minutes, one every {killEvery.TotalSeconds:0} s");
            Assert.True(last.RssMb <= afterFirst.RssMb * 1.5, $"the survivor's RSS grew from {afterFirst.RssMb:0} MB after the first minute to {last.RssMb:0} MB");
            Assert.True(last.Threads <= afterFirst.Threads * 1.5, $"the survivor's threads grew from {afterFirst.Threads} to {last.Threads}");
        }
        finally
        {
            foreach (var silo in all)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static int Setting(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static async Task RangesAsync(GrainPoolClient client, Counter counts, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var result = await client.CountPrimesAsync(0, CountTo);
            Assert.Equal(Reference.Pi(CountTo), result.Value);
            Interlocked.Increment(ref counts.Ranges);
        }
    }

    private static async Task MapsAsync(GrainPoolClient client, Counter counts, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            var items = Enumerable.Range(0, 20_000 + random.Next(80_000)).Select(_ => random.NextInt64(1L << 30, 1L << 50)).ToArray();
            var seen = new int[items.Length];
            await foreach (var r in client.MapUnorderedAsync(BuiltInKernels.IsPrimeMillerRabin, items, new MapOptions { Errors = ItemErrorMode.Collect }, f => Assert.Fail($"item {f.Index} failed: {f.Message}")))
            {
                seen[r.Index]++;
                Assert.Equal(ReferencePrimality.IsPrime((ulong)items[r.Index]), r.Result);
            }

            Assert.All(seen, n => Assert.Equal(1, n));
            Interlocked.Increment(ref counts.Maps);
            Interlocked.Add(ref counts.Items, items.Length);
        }
    }

    private static async Task SinglesAsync(GrainPoolClient client, Counter counts, CancellationToken stop)
    {
        var random = new Random(3);
        while (!stop.IsCancellationRequested)
        {
            var n = random.NextInt64(1L << 40, 1L << 60);
            Assert.Equal(ReferencePrimality.IsPrime((ulong)n), await client.SubmitAsync(BuiltInKernels.IsPrimeMillerRabin, n));
            Interlocked.Increment(ref counts.Singles);
        }
    }

    private sealed record Sample(double Minute, int Kills, double RssMb, int Threads, double HeapMb, double CommittedMb, double FullCollections, double JitMethods, double CodeMb);

    private sealed class Counter
    {
        public long Ranges;
        public long Maps;
        public long Items;
        public long Singles;
    }
}
