using System.Globalization;

namespace GrainPool.Hosting;

/// <summary>
/// The one line a silo prints on standard output once it is Active in the cluster and its HTTP endpoint listens,
/// <c>grainpool-silo ready name=silo-11111 silo=127.0.0.1:11111 gateway=30000 http=http://127.0.0.1:8080 cores=2</c>.
/// Launchers wait for it instead of sleeping; <see cref="TryParse"/> reads it back.
/// </summary>
/// <param name="Name">Silo name.</param>
/// <param name="Silo">Silo-to-silo endpoint, <c>host:port</c>.</param>
/// <param name="GatewayPort">Gateway port for clients.</param>
/// <param name="HttpUrl">Base URL of the HTTP endpoint (<c>/healthz</c>).</param>
/// <param name="Cores">Advertised cores (worker slots).</param>
public sealed record SiloReadyLine(string Name, string Silo, int GatewayPort, Uri HttpUrl, int Cores)
{
    /// <summary>Start of the ready line.</summary>
    public const string Prefix = "grainpool-silo ready ";

    /// <summary>Start of the line printed when the silo has left the cluster and is about to exit.</summary>
    public const string StoppedPrefix = "grainpool-silo stopped ";

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}name={Name} silo={Silo} gateway={GatewayPort} http={HttpUrl.GetLeftPart(UriPartial.Authority)} cores={Cores}");

    /// <summary>The stopped line for silo <paramref name="name"/>.</summary>
    public static string Stopped(string name) => StoppedPrefix + "name=" + name;

    /// <summary>Reads a ready line; false for any other line.</summary>
    public static bool TryParse(string? line, out SiloReadyLine? ready)
    {
        ready = null;
        if (line is null || !line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var fields = line[Prefix.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        if (fields.TryGetValue("name", out var name)
            && fields.TryGetValue("silo", out var silo)
            && fields.TryGetValue("gateway", out var gateway) && int.TryParse(gateway, NumberStyles.None, CultureInfo.InvariantCulture, out var gatewayPort)
            && fields.TryGetValue("http", out var http) && Uri.TryCreate(http, UriKind.Absolute, out var httpUrl)
            && fields.TryGetValue("cores", out var coresText) && int.TryParse(coresText, NumberStyles.None, CultureInfo.InvariantCulture, out var cores))
        {
            ready = new SiloReadyLine(name, silo, gatewayPort, httpUrl, cores);
            return true;
        }

        return false;
    }
}
