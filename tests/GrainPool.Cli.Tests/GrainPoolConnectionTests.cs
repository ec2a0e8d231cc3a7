using System.Net;
using GrainPool.Client;

namespace GrainPool.Cli.Tests;

/// <summary>The client library's connection as the CLI uses it, where no cluster is needed to see the behaviour.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class GrainPoolConnectionTests
{
    [Fact]
    public async Task Connecting_with_no_gateway_is_an_argument_error_naming_the_gateways()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => GrainPoolConnection.ConnectAsync([]));

        Assert.Equal("gateways", error.ParamName);
        Assert.StartsWith("At least one gateway endpoint is needed.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gateways_are_parsed_with_ipv6_brackets_and_host_names_resolved()
    {
        var gateways = GrainPoolConnection.ParseGateways("127.0.0.1:30000, [::1]:30001,localhost:30002");

        Assert.Equal(3, gateways.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 30000), gateways[0]);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 30001), gateways[1]);
        // localhost resolves to 127.0.0.1 and often ::1 as well (first on some systems); silos listen on IPv4, so IPv4 wins
        Assert.Equal(IPAddress.Loopback, gateways[2].Address);
        Assert.Equal(30002, gateways[2].Port);
    }
}
