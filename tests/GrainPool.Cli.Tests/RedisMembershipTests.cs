using System.Globalization;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using GrainPool.Hosting.Launching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrainPool.Cli.Tests;

/// <summary>
/// Silos on Redis membership (a real redis-server, <see cref="RedisServer"/>), each on a loopback address of its own as
/// if on separate machines: no primary, started together in any order, found by clients through Redis.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class RedisMembershipTests(RedisServer redis) : IClassFixture<RedisServer>
{
    // pi(10^8), from tests/reference/prime-counts.tsv.
    private const ulong To = 100_000_000;

    [Fact]
    public async Task Three_silos_started_together_on_their_own_addresses_take_a_job_found_through_redis_on_all_three()
    {
        var clusterId = NewClusterId();

        // All three at once, not in address order: with Redis no silo waits for another.
        await using var fourth = RedisSilo.Start(redis, clusterId, "127.0.0.4");
        await using var second = RedisSilo.Start(redis, clusterId, "127.0.0.2");
        await using var third = RedisSilo.Start(redis, clusterId, "127.0.0.3");
        RedisSilo[] silos = [second, third, fourth];
        await Task.WhenAll(silos.Select(s => s.ReadyAsync()));
        foreach (var silo in silos)
        {
            // Each advertises its own address, not 127.0.0.1.
            Assert.Contains($" silo={silo.Address}:{silo.SiloPort} ", silo.ReadyLine, StringComparison.Ordinal);
        }

        await RedisSilo.WaitUntilAllSeeAsync(silos);

        var json = (await CliProcess.RunAsync("--clustering", "redis", "--redis", redis.Endpoint, "--cluster-id", clusterId, "primes", "count", "--to", "1e8", "--json")).Json();
        Assert.Equal(Reference.Pi(To), json.GetProperty("count").GetUInt64());
        Assert.Equal("remote", json.GetProperty("mode").GetString());
        Assert.Equal(3, json.GetProperty("silos").GetInt32());
        Assert.Equal(3, json.GetProperty("workers").GetInt32());
        foreach (var silo in silos)
        {
            Assert.True(await silo.ChunksCompletedAsync() > 0, $"{silo.Address} completed no chunk of the job");
        }

        // A map sends its batches straight to each worker's silo, through that silo's gateway at its advertised address.
        var map = (await CliProcess.RunAsync("--clustering", "redis", "--redis", redis.Endpoint, "--cluster-id", clusterId, "primes", "map", "--upto", "1e6", "--json")).Json();
        Assert.Equal(Reference.Pi(1_000_000), JsonRead.Integer(map, "count"));
        Assert.Equal(1_000_000, JsonRead.Booleans(map, "results").Length);
        Assert.Equal(3, map.GetProperty("silos").GetInt32());
    }

    [Fact]
    public async Task A_silo_joining_redis_after_the_others_takes_part_in_the_next_job()
    {
        var clusterId = NewClusterId();
        await using var second = RedisSilo.Start(redis, clusterId, "127.0.0.2");
        await using var third = RedisSilo.Start(redis, clusterId, "127.0.0.3");
        await Task.WhenAll(second.ReadyAsync(), third.ReadyAsync());
        await RedisSilo.WaitUntilAllSeeAsync([second, third]);

        string[] job = ["--clustering", "redis", "--redis", redis.Endpoint, "--cluster-id", clusterId, "primes", "count", "--to", "1e8", "--json"];
        var before = (await CliProcess.RunAsync(job)).Json();
        Assert.Equal(Reference.Pi(To), before.GetProperty("count").GetUInt64());
        Assert.Equal(2, before.GetProperty("silos").GetInt32());

        await using var late = RedisSilo.Start(redis, clusterId, "127.0.0.4");
        await late.ReadyAsync();
        await RedisSilo.WaitUntilAllSeeAsync([second, third, late]);
        Assert.Equal(0, await late.ChunksCompletedAsync());

        var after = (await CliProcess.RunAsync(job)).Json();
        Assert.Equal(Reference.Pi(To), after.GetProperty("count").GetUInt64());
        Assert.Equal(3, after.GetProperty("silos").GetInt32());
        Assert.Equal(3, after.GetProperty("workers").GetInt32());
        Assert.True(await late.ChunksCompletedAsync() > 0, "the silo that joined late completed no chunk of the next job");
    }

    [LinuxFact]
    public async Task Silos_n_on_redis_start_each_silo_on_its_own_loopback_address_without_a_primary_and_run_the_job()
    {
        var (result, siloCommands) = await CliProcess.RunWatchingSilosAsync(
            "--silos", "3", "--threads", "3", "--clustering", "redis", "--redis", redis.Endpoint, "primes", "count", "--to", "1e8", "--json");

        var json = result.Json();
        Assert.Equal(Reference.Pi(To), json.GetProperty("count").GetUInt64());
        Assert.Equal("silos", json.GetProperty("mode").GetString());
        Assert.Equal(3, json.GetProperty("silos").GetInt32());
        Assert.Equal(3, json.GetProperty("workers").GetInt32());

        var commands = siloCommands.Values.ToArray();
        Assert.Equal(3, commands.Length);
        Assert.Equal(["127.0.0.2", "127.0.0.3", "127.0.0.4"], commands.Select(c => FlagText(c, "--listen-address")).Order(StringComparer.Ordinal));
        Assert.All(commands, c =>
        {
            Assert.Equal("redis", FlagText(c, "--clustering"));
            Assert.Equal(redis.Endpoint, FlagText(c, "--redis"));
            Assert.DoesNotContain("--primary-port", c, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_silo_whose_redis_server_does_not_answer_fails_with_a_last_line_naming_the_setting_and_server()
    {
        var nothing = "127.0.0.1:" + FreeTcpPorts.Pick(1)[0].ToString(CultureInfo.InvariantCulture);
        var ports = FreeTcpPorts.Pick(2).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();

        var result = await CliProcess.RunAsync(
            "silo", "--clustering", "redis", "--redis", nothing, "--listen-address", "127.0.0.2", "--silo-port", ports[0], "--gateway-port", ports[1],
            "--http-port", "0", "--dashboard", "off");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith(
            $"grainpool-silo: failed: cannot reach the Redis server of the membership table, GrainPool:Silo:Redis (--redis) '{nothing}': ",
            result.StderrLines[^1],
            StringComparison.Ordinal);
    }

    // The client library on its own: AddGrainPoolClient configured from the "GrainPool" section finds the gateways of
    // LocalSiloCluster's silos (on 127.0.0.2 and 127.0.0.3) in Redis.
    [Fact]
    public async Task A_hosted_client_configured_for_redis_finds_the_silos_of_a_local_redis_cluster_and_runs_a_job_on_both()
    {
        await using var cluster = await LocalSiloCluster.StartAsync(new LocalSiloClusterOptions
        {
            SiloCount = 2,
            CoresPerSilo = 1,
            PinToCpus = false,
            Redis = redis.Endpoint,
            AdditionalArguments = ["--dashboard", "off"],
        });
        Assert.Equal(["127.0.0.2", "127.0.0.3"], cluster.Silos.Select(s => s.ListenAddress));
        Assert.Null(cluster.Silos.FirstOrDefault(s => s.IsPrimary));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GrainPool:Clustering"] = "redis",
            ["GrainPool:Redis"] = redis.Endpoint,
            ["GrainPool:ClusterId"] = cluster.ClusterId,
        });
        builder.AddGrainPoolClient();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var primes = await host.Services.GetRequiredService<GrainPoolClient>().CountPrimesAsync(0, 10_000_000);
            Assert.Equal(Reference.Pi(10_000_000), primes.Value);
            Assert.Equal(2, primes.Stats.Silos);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("redis", null, null, "GrainPool:Redis is required with redis clustering (host:port of the Redis server).")]
    [InlineData("redis", "127.0.0.1:6379", "127.0.0.1:30000", "GrainPool:Gateways must be empty with redis clustering, where the gateways come from Redis (got '127.0.0.1:30000').")]
    [InlineData(null, "127.0.0.1:6379", null, "GrainPool:Redis applies only with GrainPool:Clustering redis (got '127.0.0.1:6379').")]
    [InlineData("redis", "127.0.0.1:6379,nosuchsetting=1", null, "GrainPool:Redis has a setting StackExchange.Redis does not accept: ")]
    [InlineData("consul", null, null, "GrainPool:Clustering must be localhost (a list of gateways) or redis (gateways from Redis membership) (got 'consul').")]
    public async Task A_hosted_client_with_contradictory_clustering_settings_fails_to_start_naming_them(string? clustering, string? redisSetting, string? gateway, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GrainPool:Clustering"] = clustering,
            ["GrainPool:Redis"] = redisSetting,
            ["GrainPool:Gateways:0"] = gateway,
        }.Where(setting => setting.Value is not null));
        builder.AddGrainPoolClient();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:02.5")]
    [InlineData("02:00:00")]
    public async Task A_hosted_client_with_a_silent_silo_timeout_out_of_range_fails_to_start_naming_it(string timeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["GrainPool:SilentSiloTimeout"] = timeout });
        builder.AddGrainPoolClient();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal($"GrainPool:SilentSiloTimeout must be at least 3 s (a ping's time limit) and at most 1 hour (got '{TimeSpan.Parse(timeout, CultureInfo.InvariantCulture)}').", Assert.Single(error.Failures));
    }

    [Fact]
    public async Task A_clients_silo_watch_takes_its_silent_silo_timeout_from_the_options()
    {
        using var configured = HostedClient(new() { ["GrainPool:SilentSiloTimeout"] = "00:00:21" });
        using var plain = HostedClient([]);

        // Read when the client's watch is made (its first job); the host need not be started for that.
        Assert.Equal(TimeSpan.FromSeconds(21), SiloWatch.For(configured.Services.GetRequiredService<IClusterClient>()).SilentFor);
        Assert.Equal(GrainPoolClientOptions.DefaultSilentSiloTimeout, SiloWatch.For(plain.Services.GetRequiredService<IClusterClient>()).SilentFor);

        static IHost HostedClient(Dictionary<string, string?> settings)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(settings);
            builder.AddGrainPoolClient();
            return builder.Build();
        }
    }

    [Theory]
    [InlineData("--redis: 'nonsense' is not host:port with a port from 1 to 65535",
        "--clustering", "redis", "--redis", "nonsense", "primes", "count", "--to", "10")]
    [InlineData("--redis: '127.0.0.1:70000' is not host:port with a port from 1 to 65535",
        "--clustering", "redis", "--redis", "127.0.0.1:70000", "primes", "count", "--to", "10")]
    [InlineData("--redis: '127.0.0.1:6379,:1' has ':1', which is not host:port with a port from 1 to 65535",
        "--clustering", "redis", "--redis", "127.0.0.1:6379,:1", "primes", "count", "--to", "10")]
    [InlineData("--clustering: 'redis' needs --redis H:P, the Redis server of the silos' membership",
        "--clustering", "redis", "primes", "count", "--to", "10")]
    [InlineData("--redis: '127.0.0.1:6379' applies only with --clustering redis",
        "--redis", "127.0.0.1:6379", "primes", "count", "--to", "10")]
    [InlineData("--clustering: 'etcd' must be localhost or redis",
        "--clustering", "etcd", "primes", "count", "--to", "10")]
    [InlineData("--cluster and --clustering redis: give one; with redis the gateways come from Redis (--redis H:P)",
        "--cluster", "127.0.0.1:30000", "--clustering", "redis", "--redis", "127.0.0.1:6379", "primes", "count", "--to", "10")]
    [InlineData("--in-process and --clustering redis: give one; --in-process runs no cluster",
        "--in-process", "--clustering", "redis", "--redis", "127.0.0.1:6379", "primes", "count", "--to", "10")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:Redis (--redis) is not host:port with a port from 1 to 65535 (got 'nonsense').",
        "silo", "--clustering", "redis", "--redis", "nonsense")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:Redis (--redis) is required with redis clustering (host:port of the Redis server).",
        "silo", "--clustering", "redis")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:AdvertiseAddress (--advertise-address) is required when the listen address is '0.0.0.0', which other silos and clients cannot connect to: give the address they reach this silo at.",
        "silo", "--clustering", "redis", "--redis", "127.0.0.1:6379", "--listen-address", "0.0.0.0")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:PrimarySiloPort (--primary-port) applies only to localhost clustering: with redis there is no primary silo (got 11111).",
        "silo", "--clustering", "redis", "--redis", "127.0.0.1:6379", "--listen-address", "127.0.0.2", "--primary-port", "11111")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:Redis (--redis) applies only with redis clustering (got '127.0.0.1:6379' with localhost).",
        "silo", "--redis", "127.0.0.1:6379")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:AdvertiseAddress (--advertise-address) '0.0.0.0' is a wildcard address, which other silos and clients cannot connect to.",
        "silo", "--clustering", "redis", "--redis", "127.0.0.1:6379", "--listen-address", "0.0.0.0", "--advertise-address", "0.0.0.0")]
    public async Task Bad_redis_settings_are_one_error_line_with_exit_code_2(string expected, params string[] args)
    {
        var line = (await CliProcess.RunAsync(args)).UsageError();
        Assert.Equal(CliResult.ErrorPrefix + expected, line);
    }

    [Fact]
    public async Task A_client_setting_out_of_range_in_the_environment_is_one_error_line_with_exit_code_2()
    {
        var environment = new Dictionary<string, string> { ["GrainPool__SilentSiloTimeout"] = "00:00:02.5" };
        var line = (await CliProcess.RunAsync(environment, "--clustering", "redis", "--redis", "127.0.0.1:6379", "primes", "count", "--to", "10")).UsageError();
        Assert.Equal(CliResult.ErrorPrefix + "invalid configuration: GrainPool:SilentSiloTimeout must be at least 3 s (a ping's time limit) and at most 1 hour (got '00:00:02.5000000').", line);
    }

    [Theory]
    [InlineData("--clustering", "redis", "--redis", "127.0.0.1:6379,password=hunter2,:1", "primes", "count", "--to", "10")]
    [InlineData("--redis", "127.0.0.1:6379,Password=hunter2", "primes", "count", "--to", "10")]
    [InlineData("silo", "--clustering", "redis", "--redis", "nonsense,password=hunter2")]
    public async Task A_redis_password_is_never_echoed_in_an_error_line(params string[] args)
    {
        var line = (await CliProcess.RunAsync(args)).UsageError();
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
        Assert.Contains("assword=***", line, StringComparison.Ordinal);
    }

    private static string NewClusterId() => "redis-test-" + Guid.NewGuid().ToString("N")[..8];

    private static string FlagText(string commandLine, string flag)
    {
        var parts = commandLine.Split(' ');
        var at = Array.IndexOf(parts, flag);
        Assert.True(at >= 0 && at + 1 < parts.Length, $"no {flag} in {commandLine}");
        return parts[at + 1];
    }
}
