namespace GrainPool.Hosting.Wire;

/// <summary>
/// The limits on inbound connections, from <see cref="GrainPoolSiloOptions"/>: the same for the silo, gateway and HTTP
/// ports (the HTTP port's request limits are in <see cref="KestrelWireLimits"/>).
/// </summary>
/// <param name="Handshake">How long a new connection may take to deliver its Orleans connection preamble (HTTP: its request headers).</param>
/// <param name="Idle">How long an established silo or gateway connection may go without a byte either way; null: no limit.</param>
/// <param name="MaxConnections">Inbound connections open at once on one port.</param>
internal sealed record WireLimits(TimeSpan Handshake, TimeSpan? Idle, int MaxConnections)
{
    /// <summary>The limits <paramref name="options"/> set.</summary>
    public static WireLimits From(GrainPoolSiloOptions options) => new(
        TimeSpan.FromSeconds(options.HandshakeTimeoutSeconds),
        options.IdleTimeoutSeconds > 0 ? TimeSpan.FromSeconds(options.IdleTimeoutSeconds) : null,
        options.MaxConnectionsPerPort);
}
