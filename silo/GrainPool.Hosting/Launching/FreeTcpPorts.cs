using System.Net;
using System.Net.Sockets;

namespace GrainPool.Hosting.Launching;

/// <summary>Finds free loopback TCP ports by letting the OS pick them.</summary>
public static class FreeTcpPorts
{
    /// <summary>
    /// Returns <paramref name="count"/> distinct ports that were free a moment ago (all are held open together while
    /// they are picked, so they differ). Another process may still take one before it is used.
    /// </summary>
    public static int[] Pick(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
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
}
