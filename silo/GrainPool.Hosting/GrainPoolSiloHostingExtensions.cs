using System.Net;
using GrainPool.Grains;
using GrainPool.Hosting.Wire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;

namespace GrainPool.Hosting;

/// <summary>Wires a GrainPool silo into an ASP.NET Core host.</summary>
public static class GrainPoolSiloHostingExtensions
{
    /// <summary>Where the Orleans Dashboard is served on the HTTP port.</summary>
    public const string DashboardPath = "/dashboard";

    /// <summary>Where the silo's health (<see cref="SiloHealthReport"/>) is served on the HTTP port.</summary>
    public const string HealthPath = "/healthz";

    private static readonly HttpMethodMetadata ReadOnlyMethods = new([HttpMethods.Get, HttpMethods.Head]);

    /// <summary>
    /// Adds the GrainPool silo: reads and validates <see cref="GrainPoolSiloOptions"/> (the short flags of
    /// <paramref name="args"/> mapped by <see cref="SiloCommandLine"/>), runs an Orleans silo with localhost or Redis
    /// clustering (<see cref="GrainPoolSiloOptions.Clustering"/>) and the compute workers, binds Kestrel to <see cref="GrainPoolSiloOptions.ListenAddress"/>, and prints the ready
    /// and stopped lines on standard output. Logs go to standard error, so standard output carries only those lines.
    /// </summary>
    /// <exception cref="OptionsValidationException">
    /// The configuration is invalid or names a port that is taken; the failures name each setting.
    /// </exception>
    public static WebApplicationBuilder AddGrainPoolSilo(this WebApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);
        builder.Configuration.AddSiloCommandLine(args);

        // Orleans and Kestrel take their ports while the host is being built, before ValidateOnStart would run, so the
        // same validator also runs here: a bad port must fail with its setting's name, not as an IPEndPoint error.
        var options = ReadOptions(builder.Configuration);
        SiloPortCheck.EnsureFree(options);
        builder.Services.AddSingleton<IValidateOptions<GrainPoolSiloOptions>, GrainPoolSiloOptionsValidator>();
        builder.Services.AddOptions<GrainPoolSiloOptions>().BindConfiguration(GrainPoolSiloOptions.SectionName).ValidateOnStart();

        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds);

            // Kestrel would otherwise start only after the silo has joined, and /healthz could never answer "joining".
            o.ServicesStartConcurrently = true;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.HttpPort));

        // Small GET endpoints only: small headers, no body, a bounded number of connections that must send their
        // headers in time (KestrelWireLimits), so oversized requests and slow connections cannot take the silo down.
        builder.WebHost.ConfigureKestrel(kestrel => KestrelWireLimits.Apply(kestrel.Limits, WireLimits.From(options)));
        builder.UseOrleans(silo =>
        {
            silo.AddGrainPoolSiloCore(options);
            if (options.Dashboard != GrainPoolSiloOptions.DashboardOff)
            {
                silo.AddDashboard();
            }

            SiloSecurity.UseTls(silo, options);
        });
        AddDashboardCredential(builder.Services, options);
        builder.Services.AddHostedService<SiloSecurityReport>();
        builder.Services.AddGrainPoolSiloMetrics(options);

        builder.Services.AddSingleton<SiloStatusProbe>();
        builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>(SiloHealthCheck.Name);
        builder.Services.AddHostedService<SiloReadyReporter>();
        builder.Services.AddHostedService<SiloFirstShutdown>();
        if (options.ParentProcessId is not null)
        {
            builder.Services.AddHostedService<ParentProcessWatcher>();
            builder.Services.AddSingleton<IHostLifetime, LaunchedSiloLifetime>();
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>GET /healthz</c> (ASP.NET Core health checks, <see cref="SiloHealthCheck"/>): 200 with
    /// <c>{"status":"ready",...}</c> when the local silo is Active in its membership view, 503 with <c>joining</c> or
    /// <c>shutting-down</c> otherwise; <c>GET /metrics</c> (Prometheus); both unauthenticated and read-only (other methods
    /// get 405); and the Orleans Dashboard unless it is off, behind its credential when one is configured.
    /// </summary>
    public static IEndpointRouteBuilder MapGrainPoolSiloEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        // Read-only: both map every verb by default; with GET and HEAD named, routing answers others 405.
        endpoints.MapHealthChecks(HealthPath, SiloHealthCheck.EndpointOptions()).WithMetadata(ReadOnlyMethods);
        endpoints.MapPrometheusScrapingEndpoint(SiloMetrics.ScrapePath).WithMetadata(ReadOnlyMethods);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<GrainPoolSiloOptions>>().Value;
        if (options.Dashboard != GrainPoolSiloOptions.DashboardOff)
        {
            // Without a credential, a silo that listens beyond loopback keeps its dashboard local whatever --dashboard says.
            var credential = options.DashboardUser is not null;
            var loopbackOnly = options.Dashboard == GrainPoolSiloOptions.DashboardLoopback || (!credential && SiloSecurity.ListensBeyondLoopback(options));
            var dashboard = endpoints.MapOrleansDashboard(DashboardPath).AddEndpointFilter(async (context, next) =>
                !loopbackOnly || context.HttpContext.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
                    ? await next(context)
                    : Results.Problem(credential || options.Dashboard == GrainPoolSiloOptions.DashboardLoopback
                        ? "The Orleans Dashboard answers local requests only (start the silo with --dashboard any to open it)."
                        : "The Orleans Dashboard answers local requests only: it has no credential (start the silo with --dashboard-user and a password to open it).",
                        statusCode: StatusCodes.Status403Forbidden));
            if (credential)
            {
                dashboard.RequireAuthorization(policy => policy.AddAuthenticationSchemes(DashboardAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
            }
        }

        return endpoints;
    }

    // HTTP Basic authentication on the dashboard's endpoints when a credential is configured; /healthz and /metrics
    // stay open (they only read).
    private static void AddDashboardCredential(IServiceCollection services, GrainPoolSiloOptions options)
    {
        if (options.Dashboard == GrainPoolSiloOptions.DashboardOff || SiloSecurity.DashboardCredential(options) is not { } credential)
        {
            return;
        }

        services.AddSingleton(credential);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, DashboardAuthenticationHandler>(DashboardAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorization();
    }

    /// <summary>Binds and validates the options from <paramref name="configuration"/>, throwing with every failure.</summary>
    internal static GrainPoolSiloOptions ReadOptions(IConfiguration configuration)
    {
        GrainPoolSiloOptions options;
        try
        {
            options = configuration.GetSection(GrainPoolSiloOptions.SectionName).Get<GrainPoolSiloOptions>() ?? new GrainPoolSiloOptions();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key and the expected type ("Failed to convert configuration value at ...").
            throw new OptionsValidationException(Options.DefaultName, typeof(GrainPoolSiloOptions), [ex.Message]);
        }

        var result = new GrainPoolSiloOptionsValidator().Validate(Options.DefaultName, options);
        return result.Failed
            ? throw new OptionsValidationException(Options.DefaultName, typeof(GrainPoolSiloOptions), result.Failures)
            : options;
    }

    /// <summary>The silo itself, shared by the silo process and EmbeddedSilo.</summary>
    internal static ISiloBuilder AddGrainPoolSiloCore(this ISiloBuilder silo, GrainPoolSiloOptions options)
    {
        if (options.UsesRedis)
        {
            UseRedisMembership(silo, options);
        }
        else
        {
            UseLocalhostMembership(silo, options);
        }

        if (!string.IsNullOrWhiteSpace(options.JoinLockFile))
        {
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => new SiloJoinTurn(
                options.JoinLockFile,
                options.EffectiveName,
                services.GetRequiredService<ILogger<SiloJoinTurn>>()));
        }

        silo.AddGrainPoolWireLimits(options);
        silo.Configure<SiloOptions>(o => o.SiloName = options.EffectiveName);
        silo.Configure<ClusterMembershipOptions>(membership =>
        {
            membership.ProbeTimeout = TimeSpan.FromMilliseconds(options.ProbeTimeoutMs);
            membership.NumMissedProbesLimit = options.MissedProbesLimit;
            membership.NumVotesForDeathDeclaration = options.DeathVotes;
            membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(options.HeartbeatSeconds);
        });
        silo.AddGrainPoolWorkers(options.AdvertisedCores, TimeSpan.FromMilliseconds(options.SliceTargetMs));
        return silo;
    }

    // Orleans' development membership: the primary silo hosts the table, every silo advertises 127.0.0.1.
    private static void UseLocalhostMembership(ISiloBuilder silo, GrainPoolSiloOptions options)
    {
        silo.UseLocalhostClustering(
            siloPort: options.SiloPort,
            gatewayPort: options.GatewayPort,
            primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, options.EffectivePrimarySiloPort),
            serviceId: options.ServiceId,
            clusterId: options.ClusterId);

        // UseLocalhostClustering advertises and listens on 127.0.0.1; a wildcard listen address widens only the listening side.
        var listen = IPAddress.Parse(options.ListenAddress);
        if (!IPAddress.IsLoopback(listen))
        {
            silo.Configure<EndpointOptions>(endpoints =>
            {
                endpoints.SiloListeningEndpoint = new IPEndPoint(listen, options.SiloPort);
                endpoints.GatewayListeningEndpoint = new IPEndPoint(listen, options.GatewayPort);
            });
        }

        if (!options.IsPrimary)
        {
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => new PrimarySiloWait(
                new IPEndPoint(IPAddress.Loopback, options.EffectivePrimarySiloPort),
                options.EffectiveName,
                services.GetRequiredService<ILogger<PrimarySiloWait>>()));
        }
    }

    // Membership in Redis: no primary, so silos start in any order; each publishes its own advertised address there,
    // where the other silos and the clients (their gateway list) find it.
    private static void UseRedisMembership(ISiloBuilder silo, GrainPoolSiloOptions options)
    {
        if (options.Kubernetes)
        {
            // Registered before this silo's own settings, which are then applied after the hosting's (options
            // configurations run in registration order): the cluster id, name and addresses given here win over
            // ORLEANS_CLUSTER_ID, POD_NAME and POD_IP, and the hosting adds its pod watcher.
            silo.UseKubernetesHosting();
        }

        silo.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis!));
        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = options.ClusterId;
            cluster.ServiceId = options.ServiceId;
        });
        var listen = IPAddress.Parse(options.ListenAddress);
        silo.Configure<EndpointOptions>(endpoints =>
        {
            endpoints.AdvertisedIPAddress = IPAddress.Parse(options.EffectiveAdvertiseAddress);
            endpoints.SiloPort = options.SiloPort;
            endpoints.GatewayPort = options.GatewayPort;
            endpoints.SiloListeningEndpoint = new IPEndPoint(listen, options.SiloPort);
            endpoints.GatewayListeningEndpoint = new IPEndPoint(listen, options.GatewayPort);
        });
    }
}
