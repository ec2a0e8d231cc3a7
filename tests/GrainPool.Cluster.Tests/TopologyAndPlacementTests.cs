using GrainPool.Abstractions;
using GrainPool.Cluster.Tests.Infrastructure;
using GrainPool.Grains;
using Orleans.Serialization.TypeSystem;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class TopologyAndPlacementTests(ThreeSiloClusterFixture fixture)
{
    [Fact]
    public async Task Topology_reports_three_silos_with_one_two_and_three_cores()
    {
        var topology = await fixture.Client.GetTopologyAsync();

        Assert.Equal(3, topology.Silos.Length);
        Assert.Equal(ThreeSiloClusterFixture.Cores.Order(), topology.Silos.Select(s => s.Cores).Order());
        Assert.Equal(6, topology.TotalSlots);
        var silos = fixture.Cluster.Silos;
        foreach (var reported in topology.Silos)
        {
            var silo = Assert.Single(silos, s => s.SiloAddress.ToParsableString() == reported.Silo);
            Assert.Equal(silo.Name, reported.Name);
            Assert.Equal(fixture.Cluster.CoresOf(silo), reported.Cores);
        }

        // Blocks of slots are contiguous and cover 0 .. TotalSlots - 1 once.
        Assert.Equal(Enumerable.Range(0, 6), topology.Silos.OrderBy(s => s.FirstSlot).SelectMany(s => Enumerable.Range(s.FirstSlot, s.Cores)));
    }

    [Fact]
    public async Task A_job_over_every_slot_puts_one_worker_activation_on_each_advertised_core()
    {
        const ulong Billion = 1_000_000_000;
        var result = await fixture.Client.CountPrimesAsync(0, Billion);

        Assert.Equal(ReferenceData.PiOf(Billion), result.Value);
        Assert.Equal(6, result.Stats.Workers);
        Assert.Equal(3, result.Stats.Silos);

        // View 1: the management grain's per-silo activation lists; view 2: its per-silo activation counts by class.
        var management = fixture.Cluster.Cluster.Client.GetGrain<IManagementGrain>(0);
        var workerType = fixture.Cluster.Cluster.Client.GetGrain<IComputeWorkerGrain>(0, "any").GetGrainId().Type;
        var workers = (await management.GetDetailedGrainStatistics()).Where(s => s.GrainId.Type.Equals(workerType)).ToList();
        var workerClass = RuntimeTypeNameFormatter.Format(typeof(ComputeWorkerGrain));
        var counts = (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType == workerClass).ToList();
        Assert.Equal(6, workers.Count);

        var topology = await fixture.Client.GetTopologyAsync();
        foreach (var silo in fixture.Cluster.Silos)
        {
            var cores = fixture.Cluster.CoresOf(silo);
            var managementSlots = workers.Where(w => w.SiloAddress.Equals(silo.SiloAddress)).Select(w => (Core: w.GrainId.GetIntegerKey(out var siloKey), Silo: siloKey)).OrderBy(w => w.Core).ToList();

            var managementCount = Assert.Single(counts, c => c.SiloAddress.Equals(silo.SiloAddress)).ActivationCount;

            // View 3: the silo's own WorkerActivity, read from its service provider.
            var siloSlots = GrainPoolTestCluster.ActivityOf(silo).ActiveSlots.ToList();

            Assert.Equal(cores, managementSlots.Count);
            Assert.Equal(cores, managementCount);
            // Each worker sits on the silo its key names, and a silo's workers are its core slots 0 .. cores - 1.
            Assert.All(managementSlots, w => Assert.Equal(silo.SiloAddress.ToParsableString(), w.Silo));
            Assert.Equal(managementSlots.Select(w => w.Core), siloSlots);
            Assert.Equal(Enumerable.Range(0, cores).Select(i => (long)i), siloSlots);
            Assert.Single(topology.Silos, s => s.Silo == silo.SiloAddress.ToParsableString() && s.Cores == cores);
        }
    }
}
