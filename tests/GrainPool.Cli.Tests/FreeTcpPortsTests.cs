using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class FreeTcpPortsTests
{
    [LinuxFact]
    public void Ports_are_distinct_bindable_and_below_the_kernels_ephemeral_range()
    {
        // The range the kernel hands out for port 0 and outgoing connections, read here on its own.
        var ephemeralStart = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], CultureInfo.InvariantCulture);

        var ports = FreeTcpPorts.Pick(16);

        Assert.Equal(16, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1));
        var listeners = ports.Select(port => new TcpListener(IPAddress.Loopback, port)).ToList();
        try
        {
            // Every one can be listened on, all at once.
            listeners.ForEach(listener => listener.Start());
        }
        finally
        {
            listeners.ForEach(listener => listener.Stop());
        }
    }
}
