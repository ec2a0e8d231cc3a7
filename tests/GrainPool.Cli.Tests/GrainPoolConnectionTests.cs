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

    [Fact]
    public async Task Splitting_checks_the_form_without_resolving_and_resolving_waits_for_the_connection()
    {
        // .invalid never resolves (RFC 2606): splitting it succeeds because nothing is looked up yet.
        Assert.Equal([("nosuchhost.invalid", 30000), ("127.0.0.1", 30001)], GrainPoolConnection.SplitGateways("nosuchhost.invalid:30000, 127.0.0.1:30001"));
        Assert.Throws<FormatException>(() => GrainPoolConnection.SplitGateways("nosuchhost.invalid"));
        Assert.Equal([("::1", 30000)], GrainPoolConnection.SplitGateways("[::1]:30000"));
        foreach (var bad in new[] { "[]:30000", ":30000", "a]:1", "[a:1", "[[a]]:1", new string('a', 256) + ":1" })
        {
            Assert.Throws<FormatException>(() => GrainPoolConnection.SplitGateways(bad));
        }

        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 30000)], await GrainPoolConnection.ResolveGatewaysAsync("localhost:30000"));
        var error = await Assert.ThrowsAsync<FormatException>(() => GrainPoolConnection.ResolveGatewaysAsync("nosuchhost.invalid:30000"));
        Assert.StartsWith("Gateway host 'nosuchhost.invalid' does not resolve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_the_arguments_looks_no_name_up()
    {
        var parse = Parsing.CliCommandLine.Parse(["--cluster", "nosuchhost.invalid:30000", "primes", "count", "--to", "5"]);

        var options = Parsing.GlobalOptions.Bind(parse);

        Assert.Equal("nosuchhost.invalid:30000", options.Gateways);
    }
}
