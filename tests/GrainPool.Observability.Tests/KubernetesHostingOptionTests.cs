using System.Net;
using System.Net.Sockets;
using GrainPool.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace GrainPool.Observability.Tests;

/// <summary>
/// <see cref="GrainPoolSiloOptions.Kubernetes"/> (<c>GrainPool__Silo__Kubernetes=true</c>): the validator's rules, and the silo's wiring
/// built (never started) through the public <c>AddGrainPoolSilo</c>. Here, beside the other tests that reference
/// GrainPool.Hosting, as a Unit test: no process, no cluster, no Kubernetes.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class KubernetesHostingOptionTests
{
    [Fact]
    public void Kubernetes_hosting_with_localhost_clustering_is_refused_naming_the_setting()
    {
        var options = new GrainPoolSiloOptions { Kubernetes = true, Name = "grainpool-silo-5d8f-abcde" };

        var result = new GrainPoolSiloOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures);
        Assert.StartsWith("GrainPool:Silo:Kubernetes needs redis clustering", failure, StringComparison.Ordinal);
        Assert.Contains("(got 'localhost')", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_hosting_without_a_silo_name_is_refused_since_the_hosting_kills_silos_named_for_no_pod()
    {
        var options = PodOptions();
        options.Name = null;

        var result = new GrainPoolSiloOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures);
        Assert.StartsWith("GrainPool:Silo:Name (--name) must be the pod's name with Kubernetes hosting", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_hosting_with_redis_clustering_a_pod_name_and_a_pod_address_is_accepted()
    {
        var result = new GrainPoolSiloOptionsValidator().Validate(Options.DefaultName, PodOptions());

        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Failures ?? []));
    }

    [Fact]
    public void The_kubernetes_setting_adds_Orleans_kubernetes_hosting_and_the_silos_own_settings_win_over_the_pods()
    {
        // What the downward API gives a pod; each differs from the flags, so the assertions show which one won.
        var pod = new Dictionary<string, string>
        {
            ["POD_NAME"] = "grainpool-silo-5d8f-abcde",
            ["POD_NAMESPACE"] = "grainpool-test",
            ["POD_IP"] = "10.244.1.7",
            ["ORLEANS_CLUSTER_ID"] = "cluster-from-pod",
            ["ORLEANS_SERVICE_ID"] = "service-from-pod",
        };
        var saved = pod.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (name, value) in pod)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            using var services = BuildSilo(kubernetes: true);

            Assert.NotNull(services.GetService<IValidateOptions<KubernetesHostingOptions>>());
            var cluster = services.GetRequiredService<IOptions<ClusterOptions>>().Value;
            Assert.Equal("cluster-from-flag", cluster.ClusterId);
            Assert.Equal("service-from-flag", cluster.ServiceId);
            Assert.Equal("silo-from-flag", services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            var endpoints = services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Parse("10.244.9.9"), endpoints.AdvertisedIPAddress);
            Assert.Equal(IPAddress.Any, endpoints.SiloListeningEndpoint!.Address);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public void Without_the_kubernetes_setting_the_silo_has_no_kubernetes_hosting()
    {
        using var services = BuildSilo(kubernetes: false);

        Assert.Null(services.GetService<IValidateOptions<KubernetesHostingOptions>>());
    }

    private static GrainPoolSiloOptions PodOptions() => new()
    {
        Kubernetes = true,
        Name = "grainpool-silo-5d8f-abcde",
        Clustering = GrainPoolSiloOptions.RedisClustering,
        Redis = "grainpool-redis:6379",
        ListenAddress = "0.0.0.0",
        AdvertiseAddress = "10.244.1.7",
    };

    // The silo as GrainPoolSiloHost builds it, on ports free now (the host checks them); built, not started.
    private static ServiceProvider BuildSilo(bool kubernetes)
    {
        string[] args =
        [
            "--clustering", "redis", "--redis", "127.0.0.1:6379", "--listen-address", "0.0.0.0", "--advertise-address", "10.244.9.9",
            "--cluster-id", "cluster-from-flag", "--service-id", "service-from-flag", "--name", "silo-from-flag",
            "--silo-port", FreePort(), "--gateway-port", FreePort(), "--http-port", "0", "--dashboard", "off",
            "--GrainPool:Silo:Kubernetes", kubernetes ? "true" : "false",
        ];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.AddGrainPoolSilo(args);
        return builder.Services.BuildServiceProvider();
    }

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
