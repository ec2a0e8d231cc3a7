using GrainPool.Abstractions;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace GrainPool.Grains;

/// <summary>
/// Places compute workers on the silo named by their key: each silo's workers are its core slots 0 .. cores - 1.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("GrainPool.CoreSlotPlacement")]
public sealed class CoreSlotPlacement : PlacementStrategy
{
    internal static readonly CoreSlotPlacement Instance = new();
}

/// <summary>Marks a grain class as placed by <see cref="CoreSlotPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class CoreSlotPlacementAttribute() : PlacementAttribute(CoreSlotPlacement.Instance);

/// <summary>
/// The placement director for <see cref="CoreSlotPlacement"/>: a worker goes to the silo its key extension names.
/// Runs on the silo that receives the first call.
/// </summary>
public sealed class CoreSlotPlacementDirector : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        target.GrainIdentity.GetIntegerKey(out var siloText);
        var silos = context.GetCompatibleSilos(target);
        foreach (var silo in silos)
        {
            if (string.Equals(silo.ToParsableString(), siloText, StringComparison.Ordinal))
            {
                return Task.FromResult(silo);
            }
        }

        // The named silo has left (or is not yet known here): refuse rather than put a second worker on another
        // core; the client retries the chunk on another worker and refreshes its topology for the next job.
        throw new SiloUnavailableException($"Worker {target.GrainIdentity} names silo '{siloText}', which is not an active compatible silo here.");
    }
}

/// <summary>
/// The cluster's worker slots: silos in start order (SiloAddress generation, then address), each owning a block of as
/// many slots as it advertises cores. Used to number slots for the client's topology.
/// </summary>
public sealed class SlotMap
{
    private readonly (SiloAddress Silo, int Cores, int FirstSlot)[] _blocks;

    private SlotMap((SiloAddress, int, int)[] blocks, int total)
    {
        _blocks = blocks;
        TotalSlots = total;
    }

    /// <summary>Sum of the cores advertised by the silos in the map.</summary>
    public int TotalSlots { get; }

    /// <summary>The silos with their slot blocks.</summary>
    public IReadOnlyList<(SiloAddress Silo, int Cores, int FirstSlot)> Blocks => _blocks;

    /// <summary>Builds the map; silos whose cores are unknown (0) get no slots.</summary>
    public static SlotMap Build(IEnumerable<(SiloAddress Silo, int Cores)> silos)
    {
        var ordered = silos.Where(s => s.Cores > 0)
            .OrderBy(s => s.Silo.Generation)
            .ThenBy(s => s.Silo.ToString(), StringComparer.Ordinal)
            .ToArray();
        var blocks = new (SiloAddress, int, int)[ordered.Length];
        var next = 0;
        for (var i = 0; i < ordered.Length; i++)
        {
            blocks[i] = (ordered[i].Silo, ordered[i].Cores, next);
            next += ordered[i].Cores;
        }

        return new SlotMap(blocks, next);
    }

    /// <summary>Reads the advertised core count from a silo's metadata (0 when absent or invalid).</summary>
    public static int AdvertisedCores(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(SiloMetadataKeys.Cores, out var text) && int.TryParse(text, out var cores) && cores > 0 ? cores : 0;
}
