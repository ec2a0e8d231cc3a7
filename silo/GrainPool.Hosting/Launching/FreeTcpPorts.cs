using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GrainPool.Hosting.Launching;

/// <summary>Finds free loopback TCP ports for silos, gateways and local services.</summary>
public static class FreeTcpPorts
{
    // Lowest port picked where the OS's ephemeral range is known: below it only programs that bind a fixed port compete.
    private const int LowestPort = 10_000;
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary>
    /// Returns <paramref name="count"/> distinct ports that were free a moment ago (all are held open together while
    /// they are picked, so they differ). Where the OS says which ports it hands out by itself (Linux), they are picked
    /// below that ephemeral range: a port the OS picked for port 0 and that was then released can be given to any
    /// outgoing connection before the silo binds it, which failed one of four silos started at once with "address
    /// already in use". Another program that binds a fixed port may still take one before it is used.
    /// </summary>
    public static int[] Pick(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var listeners = new List<TcpListener>(count);
        try
        {
            var below = EphemeralRangeStart();
            var attempts = 0;
            while (listeners.Count < count)
            {
                // Random candidates below the ephemeral range, then (if that range is unknown or too crowded) the OS's pick.
                var port = below is { } limit && limit - LowestPort >= 16 * count && attempts++ < 64 * count
                    ? Random.Shared.Next(LowestPort, limit)
                    : 0;
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                }
                catch (SocketException) when (port != 0)
                {
                    // Taken, by another program or by one of the ports held here.
                    continue;
                }

                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    private static int? EphemeralRangeStart()
    {
        try
        {
            var text = File.Exists(EphemeralRangeFile) ? File.ReadAllText(EphemeralRangeFile) : null;
            var first = text?.Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start) && start > LowestPort ? start : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
