using System.Diagnostics;
using System.Net;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// Two GrainPool silo processes on loopback (the silo project's own launcher, GrainPool.Silo.dll from this folder),
/// started once for the tests that join a running cluster with <c>--cluster</c>, and stopped after them.
/// </summary>
public sealed class LocalClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan StableDeadline = TimeSpan.FromSeconds(60);

    private LocalSiloCluster? _cluster;

    /// <summary>The running cluster.</summary>
    public LocalSiloCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>The <c>--cluster</c> value: every silo's gateway.</summary>
    public string Gateways => string.Join(',', Cluster.GatewayPorts.Select(p => $"127.0.0.1:{p}"));

    public async Task InitializeAsync()
    {
        _cluster = await LocalSiloCluster.StartAsync(new LocalSiloClusterOptions { SiloCount = 2 });
        await WaitUntilEverySiloSeesTheWholeClusterAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    // Each silo reports ready once it is active in its own view; another silo's cores reach it a moment later. Tests
    // that count silos start from a cluster whose gateways all agree (cluster-info grains with different ids are
    // served by different gateways).
    private async Task WaitUntilEverySiloSeesTheWholeClusterAsync()
    {
        var gateways = Cluster.GatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray();
        await using var connection = await GrainPoolConnection.ConnectAsync(gateways, Cluster.ClusterId, Cluster.ServiceId);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var views = await Task.WhenAll(Enumerable.Range(0, 8).Select(k => connection.Client.Grains.GetGrain<IClusterInfoGrain>(k).GetTopologyAsync()));
            if (views.All(v => v.Silos.Length == Cluster.Silos.Count && v.TotalSlots == Cluster.TotalCores))
            {
                return;
            }

            if (clock.Elapsed > StableDeadline)
            {
                throw new TimeoutException($"The silos did not agree on {Cluster.Silos.Count} silos and {Cluster.TotalCores} slots within {StableDeadline.TotalSeconds} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }
}
