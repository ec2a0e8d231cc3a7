using System.Diagnostics.Metrics;
using GrainPool.Grains;

namespace GrainPool.Hosting.Wire;

/// <summary>
/// The silo's connection metrics, in GrainPool's meter (<see cref="WorkerActivity.MeterName"/>): connections open on the
/// silo and gateway ports, and those the wire limits closed, by reason.
/// </summary>
internal sealed class WireInstruments
{
    /// <summary>The <c>reason</c> tag of a connection refused because its port was at the connection limit.</summary>
    public const string Limit = "limit";

    /// <summary>The <c>reason</c> tag of a connection that did not deliver its preamble in time.</summary>
    public const string Handshake = "handshake";

    /// <summary>The <c>reason</c> tag of an established connection closed after its idle time.</summary>
    public const string Idle = "idle";

    private readonly Counter<long>? _closed;
    private readonly string _silo;

    public WireInstruments(IMeterFactory? meterFactory, string siloName, Func<IEnumerable<(string Port, int Open)>> open)
    {
        _silo = siloName;
        if (meterFactory is null)
        {
            return;
        }

        var meter = meterFactory.Create(new MeterOptions(WorkerActivity.MeterName));
        _closed = meter.CreateCounter<long>("grainpool.connections.closed", "{connection}",
            "Inbound silo and gateway connections the wire limits closed, by port and reason (limit: refused at the connection limit; handshake: no connection preamble in time; idle: no traffic for the idle time)");
        meter.CreateObservableGauge("grainpool.connections.open",
            () => open().Select(p => new Measurement<long>(p.Open, new KeyValuePair<string, object?>("port", p.Port), new KeyValuePair<string, object?>("silo", _silo))),
            "{connection}", "Inbound connections open now on the silo and gateway ports");
    }

    public void Closed(string port, string reason) =>
        _closed?.Add(1, new KeyValuePair<string, object?>("port", port), new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("silo", _silo));
}
