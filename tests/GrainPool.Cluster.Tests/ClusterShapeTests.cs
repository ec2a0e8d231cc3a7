using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

/// <summary>Clusters that grow and shrink: each test starts its own, so the shared three-silo cluster stays whole.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterShapeCollection
{
    public const string Name = "clusters of changing shape";
}

[Collection(ClusterShapeCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class ClusterShapeTests
{
    private static readonly int[] Cores = [1, 2, 3];
    private static readonly long[] MapItems = MapTests.Range(999_999_000_000, 999_999_020_000);

    [Fact]
    public async Task Results_are_identical_on_one_two_and_three_silos_and_each_joining_silo_runs_one_worker_per_core()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(Cores, initialSilos: 1);
        var expectedSqrtBits = BitConverter.DoubleToInt64Bits(ReferenceData.SqrtSumBelow(1_000_000));
        var expectedMap = MapItems.Select(n => ReferencePrimality.IsPrime((ulong)n)).ToArray();

        for (var silos = 1; silos <= Cores.Length; silos++)
        {
            if (silos > 1)
            {
                await cluster.StartAdditionalSiloAsync();
            }

            var topology = await cluster.Client.GetTopologyAsync();
            Assert.Equal(silos, topology.Silos.Length);
            Assert.Equal(Cores.Take(silos).Sum(), topology.TotalSlots);

            var sqrt = await cluster.Client.SqrtSumAsync(0, 999_999, new RangeOptions { ChunkSize = 50_000 });
            var primes = await cluster.Client.CountPrimesAsync(0, 100_000_000);
            var map = await cluster.Client.MapAsync(BuiltInKernels.IsPrimeMillerRabin, MapItems);

            Assert.Equal(expectedSqrtBits, BitConverter.DoubleToInt64Bits(sqrt.Value));
            Assert.Equal(ReferenceData.PiOf(100_000_000), primes.Value);
            Assert.Equal(expectedMap, map.Results);
            Assert.Equal(silos, sqrt.Stats.Silos);
            Assert.Equal(topology.TotalSlots, sqrt.Stats.Workers);
            AssertOneBusyWorkerPerCore(cluster, topology);
        }
    }

    [Fact]
    public async Task A_silo_leaving_while_idle_shrinks_the_topology_and_the_next_job_is_exact_on_the_remaining_slots()
    {
        await using var cluster = await GrainPoolTestCluster.StartAsync(Cores, initialSilos: Cores.Length);
        var before = await cluster.Client.SqrtSumAsync(0, 999_999, new RangeOptions { ChunkSize = 50_000 });
        Assert.Equal(6, before.Stats.Workers);

        var leaving = cluster.Silos.Single(s => cluster.CoresOf(s) == 2);
        await cluster.StopSiloAsync(leaving);

        var topology = await cluster.Client.GetTopologyAsync();
        Assert.Equal(2, topology.Silos.Length);
        Assert.DoesNotContain(topology.Silos, s => s.Silo == leaving.SiloAddress.ToParsableString());
        Assert.Equal(4, topology.TotalSlots);

        var sqrt = await cluster.Client.SqrtSumAsync(0, 999_999, new RangeOptions { ChunkSize = 50_000 });
        var primes = await cluster.Client.CountPrimesAsync(0, 100_000_000);

        Assert.Equal(BitConverter.DoubleToInt64Bits(ReferenceData.SqrtSumBelow(1_000_000)), BitConverter.DoubleToInt64Bits(sqrt.Value));
        Assert.Equal(ReferenceData.PiOf(100_000_000), primes.Value);
        Assert.Equal(2, sqrt.Stats.Silos);
        Assert.Equal(4, sqrt.Stats.Workers);
    }

    [Fact]
    public async Task After_the_oldest_silo_leaves_each_remaining_silo_runs_one_busy_worker_per_advertised_core()
    {
        // Silos started one after another own the slot blocks in start order: Silo_0 [0], Silo_1 [1, 2], Silo_2 [3, 4, 5].
        await using var cluster = await GrainPoolTestCluster.StartAsync(Cores, initialSilos: 1);
        await cluster.StartAdditionalSiloAsync();
        await cluster.StartAdditionalSiloAsync();
        await cluster.Client.SqrtSumAsync(0, 999_999, new RangeOptions { ChunkSize = 50_000 });
        AssertOneBusyWorkerPerCore(cluster, await cluster.Client.GetTopologyAsync());
        var oldest = cluster.Silos.Single(s => s.Name == "Silo_0");

        // The silo owning the first block of slots leaves: the blocks after it move down.
        await cluster.StopSiloAsync(oldest);
        var result = await cluster.Client.SqrtSumAsync(0, 999_999, new RangeOptions { ChunkSize = 50_000 });
        var topology = await cluster.Client.GetTopologyAsync();

        Assert.Equal(BitConverter.DoubleToInt64Bits(ReferenceData.SqrtSumBelow(1_000_000)), BitConverter.DoubleToInt64Bits(result.Value));
        Assert.Equal(topology.TotalSlots, result.Stats.Workers);
        AssertOneBusyWorkerPerCore(cluster, topology);
    }

    // A job over every worker activates each silo's core slots 0 .. cores - 1 on that silo and nowhere else.
    private static void AssertOneBusyWorkerPerCore(GrainPoolTestCluster cluster, ClusterTopology topology)
    {
        foreach (var silo in cluster.Silos)
        {
            var busy = GrainPoolTestCluster.ActivityOf(silo).ActiveSlots.ToList();
            Assert.True(
                busy.Count == cluster.CoresOf(silo),
                $"{silo.Name} advertises {cluster.CoresOf(silo)} cores but hosts the job's slots [{string.Join(", ", busy)}]; " +
                $"topology: {string.Join("; ", topology.Silos.Select(s => $"{s.Name} cores {s.Cores} first slot {s.FirstSlot}"))}");
        }
    }
}
