using Microsoft.AspNetCore.Connections;

namespace GrainPool.Hosting.Wire;

/// <summary>
/// Connection middleware for one of the silo's Orleans ports (silo or gateway): refuses connections past
/// <see cref="WireLimits.MaxConnections"/>, closes a connection that has not delivered its Orleans connection preamble
/// within <see cref="WireLimits.Handshake"/>, and, when <see cref="WireLimits.Idle"/> is set, an established one with no
/// bytes either way for that long. Orleans itself waits for a preamble forever and sends nothing on an idle connection
/// (its outbound sockets use TCP keep-alive, which moves no bytes through the pipe), so without this a port scanner or
/// a half-open peer holds a file descriptor until the silo stops.
/// </summary>
internal sealed partial class InboundConnectionGuard
{
    private readonly WireLimits _limits;
    private readonly int _portNumber;
    private readonly WireInstruments _instruments;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RateLimitedCount _refusals;
    private readonly RateLimitedCount _handshakeCloses;
    private readonly RateLimitedCount _idleCloses;
    private int _open;

    public InboundConnectionGuard(string port, int portNumber, WireLimits limits, WireInstruments instruments, TimeProvider time, ILogger logger)
    {
        Port = port;
        _portNumber = portNumber;
        _limits = limits;
        _instruments = instruments;
        _time = time;
        _logger = logger;
        _refusals = new RateLimitedCount(time);
        _handshakeCloses = new RateLimitedCount(time);
        _idleCloses = new RateLimitedCount(time);
    }

    /// <summary>The port's name in logs and metrics: <c>silo</c> or <c>gateway</c>.</summary>
    public string Port { get; }

    /// <summary>Connections open now on this port (refused ones included for the moment they take to close).</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>
    /// The connection limit, for <see cref="IConnectionBuilder.Use"/> first of all, so that it counts every connection
    /// from the moment it is accepted.
    /// </summary>
    public ConnectionDelegate LimitMiddleware(ConnectionDelegate next) => context => LimitAsync(context, next);

    /// <summary>
    /// The handshake and idle times, for <see cref="IConnectionBuilder.Use"/> last of all, next to Orleans' own handler,
    /// so that it sees the bytes Orleans reads: after any middleware that transforms them (TLS).
    /// </summary>
    public ConnectionDelegate WatchMiddleware(ConnectionDelegate next) => context => WatchAsync(context, next);

    private async Task LimitAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var open = Interlocked.Increment(ref _open);
        try
        {
            if (open > _limits.MaxConnections)
            {
                // Returning without calling next ends the connection in Orleans' own close path (which disposes it).
                Close(context, WireInstruments.Limit);
                if (_refusals.Add() is var refused and > 0)
                {
                    LogRefused(_logger, refused, Port, _portNumber, _limits.MaxConnections, RateLimitedCount.Interval.TotalSeconds);
                }

                return;
            }

            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task WatchAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var transport = new WatchedTransport(context.Transport, _time);
        context.Transport = transport;
        using var stop = new CancellationTokenSource();
        var watch = WatchAsync(context, transport, stop.Token);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
        }
    }

    // One timer at a time per connection: until the preamble arrives, the handshake deadline; then, with an idle limit,
    // the moment the connection would have been quiet for that long (rechecked then, as bytes may have moved since).
    // Without an idle limit an established connection costs nothing here.
    private async Task WatchAsync(ConnectionContext context, WatchedTransport transport, CancellationToken stop)
    {
        try
        {
            try
            {
                await transport.PreambleDelivered.WaitAsync(_limits.Handshake, _time, stop).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Close(context, WireInstruments.Handshake);
                if (_handshakeCloses.Add() is var closed and > 0)
                {
                    LogHandshakeTimeout(_logger, closed, Port, _portNumber, _limits.Handshake.TotalSeconds);
                }

                return;
            }

            if (_limits.Idle is not { } idle)
            {
                return;
            }

            while (true)
            {
                var left = idle - transport.SinceLastActivity;
                if (left <= TimeSpan.Zero)
                {
                    Close(context, WireInstruments.Idle);
                    if (_idleCloses.Add() is var closed and > 0)
                    {
                        LogIdleTimeout(_logger, closed, Port, _portNumber, idle.TotalSeconds);
                    }

                    return;
                }

                await Task.Delay(left, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The connection ended first.
        }
    }

    private void Close(ConnectionContext context, string reason)
    {
        _instruments.Closed(Port, reason);
        context.Abort(new ConnectionAbortedException($"GrainPool wire limit: {reason}"));
    }
}
