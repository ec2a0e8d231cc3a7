using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace GrainPool.Hosting.Wire;

/// <summary>
/// Limits on the HTTP port (<c>/healthz</c>, <c>/metrics</c>, <c>/dashboard</c>): every endpoint there is a small GET,
/// so requests are held to small headers and no body, and a connection that trickles its headers in is dropped after
/// the handshake time, so that oversized requests and many slow connections cannot take the silo down.
/// </summary>
internal static class KestrelWireLimits
{
    /// <summary>Request line and headers together (Kestrel's default is 32 KB); larger requests get 431.</summary>
    public const int MaxRequestHeadersTotalSize = 16 * 1024;

    /// <summary>Headers in one request (Kestrel's default is 100).</summary>
    public const int MaxRequestHeaderCount = 50;

    /// <summary>Request body (Kestrel's default is 30 MB): the endpoints take none; larger bodies get 413.</summary>
    public const long MaxRequestBodySize = 1024;

    /// <summary>How long a kept-alive connection may wait for its next request (Kestrel's default is 130 s).</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Applies the limits: at most <see cref="WireLimits.MaxConnections"/> connections at once, headers within
    /// <see cref="WireLimits.Handshake"/>, and the sizes above. Kestrel's minimum data rates (240 bytes/s after a 5 s
    /// grace period, for request bodies and responses) stay as they are.
    /// </summary>
    public static void Apply(KestrelServerLimits kestrel, WireLimits limits)
    {
        kestrel.MaxConcurrentConnections = limits.MaxConnections;
        kestrel.MaxConcurrentUpgradedConnections = limits.MaxConnections;
        kestrel.RequestHeadersTimeout = limits.Handshake;
        kestrel.KeepAliveTimeout = KeepAliveTimeout;
        kestrel.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        kestrel.MaxRequestHeaderCount = MaxRequestHeaderCount;
        kestrel.MaxRequestBodySize = MaxRequestBodySize;
    }
}
