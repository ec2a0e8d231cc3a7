using System.Globalization;
using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using Xunit.Abstractions;

namespace GrainPool.Cli.Tests;

/// <summary>
/// A silo's memory over many short jobs (issue 11: item and result buffers pooled, RSS within 1.5x its level after the
/// first 50 jobs): a real <c>grainpool silo</c> process runs 1,000 short jobs, maps of 20,000 items and range counts in
/// turn, each answer checked item by item, and its resident memory must stay within 1.5x its level after the first 50
/// jobs over all 1,000, and level off (the highest RSS over the last 500 jobs within 1.25x the highest over jobs 51-500;
/// a leak would go on growing). Before the sieve's segment buffer and the wire's item and result arrays were pooled,
/// 128 KiB large-object arrays per range slice took the RSS from about 150 MB to about 240 MB (1.6x) over the first few
/// hundred jobs (docs/faults.md).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class SiloMemoryTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const int Jobs = 1_000;
    private const int WarmUp = 50;
    private const int FirstHalf = 500;
    private const double Bound = 1.5; // the issue's: over all 1,000 jobs, of the RSS after the first 50

    [LinuxFact]
    public async Task A_silo_s_memory_stays_within_1_5x_its_level_after_50_jobs_over_1000_short_jobs()
    {
        var silos = await RedisSilo.StartManyAsync(redis, "memory-" + Guid.NewGuid().ToString("N")[..8], 1, "--cores", "2");
        await using var silo = silos[0];
        await using var connection = await GrainPoolConnection.ConnectThroughRedisAsync(redis.Endpoint, silo.ClusterId);
        var random = new Random(50);
        double afterWarmUp = 0, firstHalf = 0, secondHalf = 0;
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

            var rss = ProcStatus.RssMegabytes(silo.Process.Id);
            if (job == WarmUp - 1)
            {
                afterWarmUp = rss;
            }
            else if (job >= WarmUp && job < FirstHalf)
            {
                firstHalf = Math.Max(firstHalf, rss);
            }
            else if (job >= FirstHalf)
            {
                secondHalf = Math.Max(secondHalf, rss);
            }
        }

        var end = ProcStatus.RssMegabytes(silo.Process.Id);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"silo RSS: {afterWarmUp:0} MB after {WarmUp} jobs, up to {firstHalf:0} MB over jobs {WarmUp + 1}-{FirstHalf}, up to {secondHalf:0} MB over jobs {FirstHalf + 1}-{Jobs}, {end:0} MB at the end; peak {Math.Max(firstHalf, secondHalf) / afterWarmUp:0.00}x the level after {WarmUp}"));
        Assert.True(Math.Max(firstHalf, secondHalf) <= afterWarmUp * Bound,
            $"RSS went past {Bound}x its level after {WarmUp} jobs ({afterWarmUp:0} MB): up to {Math.Max(firstHalf, secondHalf):0} MB");
        Assert.True(secondHalf <= firstHalf * 1.25, $"RSS went on growing: up to {firstHalf:0} MB over jobs {WarmUp + 1}-{FirstHalf}, up to {secondHalf:0} MB over the last {Jobs - FirstHalf}");
    }
}
