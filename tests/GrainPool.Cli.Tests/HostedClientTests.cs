using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;
using GrainPool.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GrainPool.Cli.Tests;

/// <summary>
/// <c>AddGrainPoolClient</c> as a web app or worker service uses it: a real <see cref="Host"/> whose configuration
/// section "GrainPool" names a running silo's gateway (an embedded silo on loopback ports); the app gets a
/// <see cref="GrainPoolClient"/> from DI.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class HostedClientTests
{
    [Fact]
    public async Task A_host_with_AddGrainPoolClient_resolves_a_GrainPoolClient_that_runs_jobs_on_the_configured_cluster()
    {
        await using var silo = await EmbeddedSilo.StartAsync(2);
        var builder = HostWithConfiguration(new()
        {
            ["GrainPool:Gateways:0"] = $"localhost:{silo.GatewayPort}",
            ["GrainPool:ClusterId"] = silo.ClusterId,
        });
        var logs = new LogRecorder();
        builder.Logging.AddProvider(logs);
        builder.AddGrainPoolClient();

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<GrainPoolClient>();
            Assert.Same(client, host.Services.GetRequiredService<GrainPoolClient>());

            var primes = await client.CountPrimesAsync(0, 1_000_000, BuiltInKernels.PrimeCountTrial);

            Assert.Equal(Reference.Pi(1_000_000), primes.Value);
            Assert.Equal(2, primes.Stats.Workers);
            // The client logs through the host's logging: the job's end, naming its kernel.
            var finished = Assert.Single(logs.Entries, e => e.Category == typeof(GrainPoolClient).FullName && e.EventId == 3000);
            Assert.Contains(BuiltInKernels.PrimeCountTrial.Id, finished.Message, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_host_with_a_gateway_that_is_not_host_and_port_fails_to_start_naming_the_setting_and_value()
    {
        var builder = HostWithConfiguration(new() { ["GrainPool:Gateways:0"] = "silo-without-port" });
        builder.AddGrainPoolClient(options => options.ClusterId = "test");

        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("GrainPool:Gateways entry 'silo-without-port': Gateway 'silo-without-port' is not host:port.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_delegate_applies_after_the_configuration_and_no_gateway_means_port_30000_on_this_machine()
    {
        var builder = HostWithConfiguration(new() { ["GrainPool:ClusterId"] = "from-config", ["GrainPool:ServiceId"] = "service" });
        builder.AddGrainPoolClient(options => options.ClusterId = "from-code");

        using var host = builder.Build();

        // What the Orleans client is given: its cluster and its static gateway list.
        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal("from-code", cluster.ClusterId);
        Assert.Equal("service", cluster.ServiceId);
        var gateways = host.Services.GetRequiredService<IOptions<StaticGatewayListProviderOptions>>().Value.Gateways;
        Assert.Equal([new Uri("gwy.tcp://127.0.0.1:30000/0")], gateways);
    }

    private static HostApplicationBuilder HostWithConfiguration(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }
}
