using GrainPool.Abstractions;
using Orleans.Concurrency;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace GrainPool.Grains;

/// <summary>
/// Answers a client's question "which silos, how many worker slots" from the silo's own membership view and silo
/// metadata: the same inputs the placement director uses, laid out by the same <see cref="SlotMap"/>.
/// </summary>
[StatelessWorker]
public sealed class ClusterInfoGrain(IClusterMembershipService membership, ISiloMetadataCache metadata) : Grain, IClusterInfoGrain
{
    /// <inheritdoc />
    public Task<ClusterTopology> GetTopologyAsync(CancellationToken cancellationToken = default)
    {
        var members = membership.CurrentSnapshot.Members.Values;
        var active = members.Where(m => m.Status == SiloStatus.Active).ToArray();
        var dead = members.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress.ToParsableString()).ToArray();
        var leaving = members.Where(m => m.Status is SiloStatus.ShuttingDown or SiloStatus.Stopping).Select(m => m.SiloAddress.ToParsableString()).ToArray();
        var names = active.ToDictionary(m => m.SiloAddress, m => m.Name);
        var map = SlotMap.Build(active.Select(m => (m.SiloAddress, SlotMap.AdvertisedCores(metadata.GetSiloMetadata(m.SiloAddress).Metadata))));
        var silos = map.Blocks.Select(b => new SiloSlots(b.Silo.ToParsableString(), names[b.Silo], b.Cores, b.FirstSlot)).ToArray();
        return Task.FromResult(new ClusterTopology(silos, dead, leaving));
    }

    /// <inheritdoc />
    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
