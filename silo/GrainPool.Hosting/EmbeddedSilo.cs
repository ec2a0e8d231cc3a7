using GrainPool.Abstractions;
using GrainPool.Hosting.Launching;
using Microsoft.Extensions.Logging.Console;

namespace GrainPool.Hosting;

/// <summary>
/// A one-silo GrainPool cluster inside the calling process, for the default "just run it here" case: the compute
/// workers run in this process and <see cref="GrainFactory"/> is the silo's co-hosted client, so calls skip the
/// network. It listens on free loopback ports under a cluster id of its own, so it never joins another cluster.
/// </summary>
public sealed class EmbeddedSilo : IAsyncDisposable
{
    private static readonly TimeSpan ActiveTimeout = TimeSpan.FromSeconds(30);

    private readonly IHost _host;

    private EmbeddedSilo(IHost host, GrainPoolSiloOptions options)
    {
        _host = host;
        var local = host.Services.GetRequiredService<ILocalSiloDetails>();
        Client = host.Services.GetRequiredService<IClusterClient>();
        Name = local.Name;
        SiloAddress = local.SiloAddress;
        GatewayPort = options.GatewayPort;
        Cores = options.AdvertisedCores;
        ClusterId = options.ClusterId;
    }

    /// <summary>The co-hosted client's grain factory.</summary>
    public IGrainFactory GrainFactory => Client;

    /// <summary>The co-hosted cluster client.</summary>
    public IClusterClient Client { get; }

    /// <summary>Silo name.</summary>
    public string Name { get; }

    /// <summary>Silo address.</summary>
    public SiloAddress SiloAddress { get; }

    /// <summary>Gateway port, should an out-of-process client want to connect.</summary>
    public int GatewayPort { get; }

    /// <summary>Advertised cores (worker slots).</summary>
    public int Cores { get; }

    /// <summary>Orleans cluster id.</summary>
    public string ClusterId { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>
    /// Starts the silo and returns once it is Active. <paramref name="cores"/> defaults to this process's processor
    /// count. Logging goes to standard error at Warning and above, less two start-up notes it cannot act on.
    /// </summary>
    public static Task<EmbeddedSilo> StartAsync(int? cores = null, CancellationToken cancellationToken = default) =>
        StartAsync(cores, configureSilo: null, cancellationToken);

    /// <summary>
    /// Starts the silo with more configuration, typically your own kernels
    /// (<c>silo => silo.AddGrainPoolKernel(MyKernels.Handle)</c>), and returns once it is Active.
    /// <paramref name="configureSilo"/> runs after GrainPool's own setup (workers and built-in kernels).
    /// </summary>
    public static async Task<EmbeddedSilo> StartAsync(int? cores, Action<ISiloBuilder>? configureSilo, CancellationToken cancellationToken = default)
    {
        var ports = FreeTcpPorts.Pick(2);
        var options = new GrainPoolSiloOptions
        {
            ClusterId = "grainpool-embedded-" + Guid.NewGuid().ToString("N")[..8],
            Name = "embedded",
            SiloPort = ports[0],
            GatewayPort = ports[1],
            HttpPort = 0,
            AdvertisedCores = cores ?? Environment.ProcessorCount,
        };
        var validation = new GrainPoolSiloOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new ArgumentOutOfRangeException(nameof(cores), cores, validation.FailureMessage);
        }

        // No default sources: the embedding program's appsettings, environment and arguments are its own, not the silo's.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // Two start-up warnings that a program embedding the silo cannot act on: the silo category's "not running with
        // ServerGC" notes (the host program chose its GC), and the watchdog's one-off "participant check has not
        // completed for <uptime>" (it reads a timestamp that Watchdog.Start sets after starting the thread that reads it).
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));

        // The embedding program owns Ctrl+C; the silo stops when it is disposed, not on a signal.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.UseOrleans(silo =>
        {
            silo.AddGrainPoolSiloCore(options);
            configureSilo?.Invoke(silo);
        });

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            await WaitUntilActiveAsync(host.Services, cancellationToken);
            await WaitUntilJobsSeeEveryWorkerAsync(host.Services.GetRequiredService<IClusterClient>(), options.AdvertisedCores, cancellationToken);
            return new EmbeddedSilo(host, options);
        }
        catch
        {
            await StopHostAsync(host);
            throw;
        }
    }

    /// <summary>Stops the silo (chunks in flight finish first) and releases it.</summary>
    public ValueTask DisposeAsync() => new(StopHostAsync(_host));

    private static async Task WaitUntilActiveAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var local = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var membership = services.GetRequiredService<IClusterMembershipService>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ActiveTimeout);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(deadline.Token))
            {
                if (snapshot.GetSiloStatus(local) == SiloStatus.Active)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline, not the caller: report it as such below.
        }

        throw new TimeoutException($"The embedded silo did not become Active within {ActiveTimeout.TotalSeconds:0} s.");
    }

    // Active in the membership table is not yet what a job sees: the cluster-info grain reads the silo's advertised
    // cores from the silo metadata cache, which fills a moment later. On a loaded machine a map started right after
    // StartAsync failed with "The cluster has no active silo with compute workers". Return once jobs see every slot.
    private static async Task WaitUntilJobsSeeEveryWorkerAsync(IClusterClient client, int cores, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ActiveTimeout);
        try
        {
            while ((await client.GetGrain<IClusterInfoGrain>(0).GetTopologyAsync(deadline.Token)).TotalSlots != cores)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            }

            return;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline, not the caller: report it as such below.
        }

        throw new TimeoutException($"The embedded silo's {cores} worker slots were not visible to jobs within {ActiveTimeout.TotalSeconds:0} s.");
    }

    private static async Task StopHostAsync(IHost host)
    {
        try
        {
            await host.StopAsync();
        }
        finally
        {
            host.Dispose();
        }
    }

    private sealed class EmbeddedHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
