using System.Text.Json.Serialization;

namespace GrainPool.Hosting;

/// <summary>The body of <c>GET /healthz</c>.</summary>
/// <param name="Status"><c>ready</c> (200), <c>joining</c> or <c>shutting-down</c> (both 503).</param>
/// <param name="Silo">This silo's address.</param>
/// <param name="Name">This silo's name.</param>
/// <param name="Cores">Worker cores this silo advertises.</param>
/// <param name="ClusterSilos">Active silos in this silo's membership view.</param>
/// <param name="ClusterSlots">Worker slots of those silos as this silo's placement sees them (a silo that just joined counts once its metadata has arrived).</param>
public sealed record SiloHealthReport(string Status, string Silo, string Name, int Cores, int ClusterSilos, int ClusterSlots)
{
    /// <summary>Status of a silo that is Active in the cluster.</summary>
    public const string Ready = "ready";

    /// <summary>Status of a silo that has not become Active yet.</summary>
    public const string Joining = "joining";

    /// <summary>Status of a silo that is stopping or has left the cluster.</summary>
    public const string ShuttingDown = "shutting-down";

    /// <summary>Whether the silo serves work (HTTP 200).</summary>
    [JsonIgnore]
    public bool IsReady => Status == Ready;
}
