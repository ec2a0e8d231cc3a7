using GrainPool.Abstractions;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace GrainPool.Grains;

/// <summary>
/// Places integer-keyed worker slots so that each silo hosts as many as it advertises cores: slot s goes to the silo
/// whose block of slots holds s (blocks in silo start order, see <see cref="SlotMap"/>).
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("GrainPool.CoreSlotPlacement")]
public sealed class CoreSlotPlacement : PlacementStrategy
{
    internal static readonly CoreSlotPlacement Instance = new();
}

/// <summary>Marks a grain class as placed by <see cref="CoreSlotPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class CoreSlotPlacementAttribute() : PlacementAttribute(CoreSlotPlacement.Instance);

/// <summary>The placement director for <see cref="CoreSlotPlacement"/>; runs on the silo that receives the first call.</summary>
public sealed class CoreSlotPlacementDirector(ISiloMetadataCache metadata) : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var map = SlotMap.Build(silos.Select(s => (s, SlotMap.AdvertisedCores(metadata.GetSiloMetadata(s).Metadata))));
        if (map.TotalSlots == 0)
        {
            // Metadata of a just-joined silo arrives asynchronously; until any is known, spread by key.
            return Task.FromResult(silos[(int)((ulong)target.GrainIdentity.GetIntegerKey() % (ulong)silos.Length)]);
        }

        var slot = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(map.SiloFor(slot));
    }
}

/// <summary>
/// Worker slots laid out over silos: silos in start order (SiloAddress generation, then address), each owning a block
/// of as many slots as it advertises cores. A silo that joins later appends its block, so slots already placed keep
/// their silo; slots past the total wrap around.
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

    /// <summary>The silo that owns <paramref name="slot"/>.</summary>
    public SiloAddress SiloFor(long slot)
    {
        var s = (int)((ulong)slot % (ulong)TotalSlots);
        foreach (var (silo, cores, first) in _blocks)
        {
            if (s < first + cores)
            {
                return silo;
            }
        }

        return _blocks[^1].Silo;
    }
}
