using GrainPool.Grains;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace GrainPool.Hosting;

/// <summary>
/// Reads the local silo's state from its own membership view: it is ready only when the membership snapshot lists it
/// as Active (Kestrel can be up before the silo has joined, and the silo stays in the table while it shuts down).
/// It also reports the worker slots this silo's placement director sees: a silo learns another's advertised cores
/// from that silo's metadata, fetched shortly after it joins, and gives it no slots until then.
/// </summary>
internal sealed class SiloStatusProbe(
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails localSilo,
    IHostApplicationLifetime lifetime,
    IOptions<GrainPoolSiloOptions> options)
{
    public SiloHealthReport Current()
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(localSilo.SiloAddress);
        var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).ToArray();
        var slots = SlotMap.Build(active.Select(m => (m.SiloAddress, SlotMap.AdvertisedCores(metadata.GetSiloMetadata(m.SiloAddress).Metadata)))).TotalSlots;
        var state = StateOf(status, lifetime.ApplicationStopping.IsCancellationRequested);
        return new SiloHealthReport(state, localSilo.SiloAddress.ToString(), localSilo.Name, options.Value.AdvertisedCores, active.Length, slots);
    }

    /// <summary>
    /// The <c>/healthz</c> status of a silo whose membership view shows it <paramref name="status"/>: shutting down
    /// from the host's stop (<paramref name="hostStopping"/>) on, even while the table still shows it Active.
    /// </summary>
    internal static string StateOf(SiloStatus status, bool hostStopping) =>
        hostStopping || status is SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead
            ? SiloHealthReport.ShuttingDown
            : status == SiloStatus.Active ? SiloHealthReport.Ready : SiloHealthReport.Joining;
}
