using System.Globalization;
using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using Xunit.Abstractions;

namespace GrainPool.Cli.Tests;

/// <summary>
/// A silo's memory over many short jobs (issue: the large-object heap grew to about 240 MB per silo between
/// collections): a real <c>grainpool silo</c> process runs 1,000 short jobs, maps of 20,000 items and range counts in
/// turn, each answer checked, and its resident memory at the end must be within 1.5x its level after the first 50.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class SiloMemoryTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const int Jobs = 1_000;
    private const int Settled = 50;

    [LinuxFact]
    public async Task A_silo_s_memory_over_1000_short_jobs_stays_within_one_and_a_half_times_its_level_after_the_first_50()
    {
        var silos = await RedisSilo.StartManyAsync(redis, "memory-" + Guid.NewGuid().ToString("N")[..8], 1, "--cores", "2");
        await using var silo = silos[0];
        await using var connection = await GrainPoolConnection.ConnectThroughRedisAsync(redis.Endpoint, silo.ClusterId);
        var random = new Random(50);
        double afterSettled = 0, peak = 0;
        for (var job = 0; job < Jobs; job++)
        {
            if (job % 2 == 0)
            {
                var items = Enumerable.Range(0, 20_000).Select(_ => random.NextInt64(1L << 40, 1L << 60)).ToArray();
                var result = await connection.Client.MapAsync(BuiltInKernels.IsPrimeMillerRabin, items);
                Assert.Equal(items.Select(i => ReferencePrimality.IsPrime((ulong)i)), result.Results);
            }
            else
            {
                Assert.Equal(Reference.Pi(10_000_000), (await connection.Client.CountPrimesAsync(0, 10_000_000)).Value);
            }

            var rss = RssMegabytes(silo.Process.Id);
            peak = Math.Max(peak, rss);
            if (job == Settled - 1)
            {
                afterSettled = rss;
            }
        }

        var end = RssMegabytes(silo.Process.Id);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silo RSS: {afterSettled:0} MB after {Settled} jobs, {end:0} MB after {Jobs}, peak {peak:0} MB"));
        Assert.True(end <= afterSettled * 1.5, $"RSS grew from {afterSettled:0} MB after {Settled} jobs to {end:0} MB after {Jobs}");
    }

    private static double RssMegabytes(int pid) =>
        long.Parse(
            File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))["VmRSS:".Length..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture) / 1024.0;
}
