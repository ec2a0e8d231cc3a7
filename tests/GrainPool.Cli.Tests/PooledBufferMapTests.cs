using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using GrainPool.Hosting;

namespace GrainPool.Cli.Tests;

/// <summary>
/// Item batches and results cross the wire in pooled arrays (PackedArray): the client copies each chunk's items into a
/// rented array and returns it once the chunk's results are handed on; a silo process reads each batch into a rented
/// array and releases it after its chunk, and its results go back to its pool once the response is written; the client
/// releases each chunk's results after copying them. An array returned while still read, or returned twice, would show
/// as another map's values or an earlier chunk's in these results, so several maps of each kind run at once, with chunk
/// sizes that leave short last chunks, and every result is checked item by item against an independent primality test:
/// on a real <c>grainpool silo</c> process, and on an embedded silo, where a call is not serialized and the worker
/// reads the client's rented array itself.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class PooledBufferMapTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [LinuxFact]
    public async Task Concurrent_maps_through_a_silo_process_each_get_their_own_results_item_by_item()
    {
        var silos = await RedisSilo.StartManyAsync(redis, "pooled-" + Guid.NewGuid().ToString("N")[..8], 1, "--cores", "2");
        await using var silo = silos[0];
        await using var connection = await GrainPoolConnection.ConnectThroughRedisAsync(redis.Endpoint, silo.ClusterId);
        await ConcurrentMapsAsync(connection.Client);
    }

    [Fact]
    public async Task Concurrent_maps_on_an_embedded_silo_each_get_their_own_results_item_by_item()
    {
        await using var silo = await EmbeddedSilo.StartAsync(2);
        await ConcurrentMapsAsync(new GrainPoolClient(silo.Client));
    }

    private static async Task ConcurrentMapsAsync(GrainPoolClient client)
    {
        for (var round = 0; round < 2; round++)
        {
            var jobs = Enumerable.Range(0, 8).Select(async m =>
            {
                var random = new Random((round * 100) + m);
                var items = Enumerable.Range(0, 5_000 + (m * 733)).Select(_ => random.NextInt64(0, 1L << 62)).ToArray();
                var options = new MapOptions { ChunkSize = 61 + (m * 257) };
                var ordered = await client.MapAsync(BuiltInKernels.IsPrimeMillerRabin, items, options);
                var unordered = new bool?[items.Length];
                await foreach (var r in client.MapUnorderedAsync(BuiltInKernels.IsPrimeMillerRabin, items, options))
                {
                    Assert.Null(unordered[r.Index]); // each index exactly once
                    unordered[r.Index] = r.Result;
                }

                var streamed = new List<bool>();
                await foreach (var r in client.MapStreamAsync(BuiltInKernels.IsPrimeMillerRabin, items, options))
                {
                    streamed.Add(r);
                }

                return (items, ordered.Results, unordered, streamed);
            }).ToArray();

            foreach (var (items, ordered, unordered, streamed) in await Task.WhenAll(jobs))
            {
                var expected = items.Select(i => ReferencePrimality.IsPrime((ulong)i)).ToArray();
                Assert.Contains(true, expected); // the check sees both answers
                Assert.Equal(expected, ordered);
                Assert.Equal(expected.Select(e => (bool?)e), unordered);
                Assert.Equal(expected, streamed);
            }
        }
    }
}
