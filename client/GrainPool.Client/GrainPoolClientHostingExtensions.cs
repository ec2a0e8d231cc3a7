using GrainPool.Abstractions;
using GrainPool.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Connections.Security;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds a GrainPool client to an application's host, the way <c>UseOrleansClient</c> adds an Orleans client.</summary>
public static class GrainPoolClientHostingExtensions
{
    /// <summary>
    /// Adds the Orleans client of a GrainPool cluster and a singleton <see cref="GrainPoolClient"/> over it (logging
    /// through the host's logging). Where to connect comes from <see cref="GrainPoolClientOptions"/>: the configuration
    /// section <c>"GrainPool"</c> (<c>Gateways</c>, or <c>Clustering</c> <c>redis</c> and <c>Redis</c>; <c>ClusterId</c>,
    /// <c>ServiceId</c>), then <paramref name="configure"/>; with neither, a silo on this machine
    /// (<see cref="GrainPoolClientOptions.DefaultGateway"/>). The options are
    /// validated when the host starts, and the client connects then. <paramref name="configure"/> also runs once here,
    /// on a scratch copy, to choose between a gateway list and Redis membership.
    /// </summary>
    public static IHostApplicationBuilder AddGrainPoolClient(this IHostApplicationBuilder builder, Action<GrainPoolClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<GrainPoolClientOptions>().BindConfiguration(GrainPoolClientOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainPoolClientOptions>, GrainPoolClientOptionsValidator>());
        options.ValidateOnStart();

        // Which gateway list provider to register is decided here, from the same sources the options bind from; the
        // addresses themselves are read when the client starts.
        var chosen = new GrainPoolClientOptions();
        builder.Configuration.GetSection(GrainPoolClientOptions.SectionName).Bind(chosen);
        configure?.Invoke(chosen);
        builder.UseOrleansClient(client =>
        {
            if (chosen.UsesRedis)
            {
                client.UseRedisClustering(_ => { });
                client.Services.AddOptions<RedisClusteringOptions>().Configure<IOptions<GrainPoolClientOptions>>((o, grainPool) =>
                    o.ConfigurationOptions = ConfigurationOptions.Parse(grainPool.Value.Redis!));
            }
            else
            {
                client.UseStaticClustering(gateways => gateways.Configure<IOptions<GrainPoolClientOptions>>((o, grainPool) =>
                    o.Gateways = [.. grainPool.Value.GatewayEndpoints().Select(e => e.ToGatewayUri())]));
            }

            if (chosen.Tls.Enabled)
            {
                UseTls(client, chosen);
            }

            client.Services.AddOptions<ClusterOptions>().Configure<IOptions<GrainPoolClientOptions>>((o, grainPool) =>
            {
                o.ClusterId = grainPool.Value.ClusterId;
                o.ServiceId = grainPool.Value.ServiceId;
            });
            client.Services.AddOptions<ClientMessagingOptions>().Configure<IOptions<GrainPoolClientOptions>>((o, grainPool) =>
                o.ResponseTimeout = grainPool.Value.ResponseTimeout);
        });
        builder.Services.TryAddSingleton(services => new GrainPoolClient(
            services.GetRequiredService<IClusterClient>(),
            services.GetService<ILogger<GrainPoolClient>>()));
        return builder;
    }

    // The certificate is loaded now, while the client is being built (Orleans' UseTls takes it here), so bad TLS settings
    // fail here with the validator's own lines instead of as an exception from deep in the builder.
    private static void UseTls(IClientBuilder client, GrainPoolClientOptions options)
    {
        var problems = new GrainPoolClientOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
        if (problems.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(GrainPoolClientOptions), problems.Failures);
        }

        var (certificate, trusted) = ClusterTls.Load(options.Tls);
        client.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (silo, chain, errors) => trusted(silo, chain, errors);
        });
    }
}
