using System.Net;
using GrainPool.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainPool.Client;

/// <summary>
/// Where the client of <see cref="Microsoft.Extensions.Hosting.GrainPoolClientHostingExtensions.AddGrainPoolClient"/> connects: bound from the
/// configuration section <see cref="SectionName"/> (<c>"GrainPool"</c>), then changed by the caller's delegate, and
/// validated when the host starts.
/// </summary>
public sealed class GrainPoolClientOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "GrainPool";

    /// <summary>The cluster id and service id of the silos <c>grainpool silo</c> and <c>--silos</c> start unless told otherwise.</summary>
    public const string DefaultClusterId = "grainpool";

    /// <summary>The gateway a client uses when none is configured: a silo on this machine with Orleans' default gateway port.</summary>
    public const string DefaultGateway = "localhost:30000";

    /// <summary>
    /// Gateways as <c>host:port</c> (<c>127.0.0.1:30000</c>, <c>[::1]:30000</c>, <c>silo-1:30000</c>; a host name that
    /// resolves to both IPv4 and IPv6 takes its IPv4 address, where silos listen); any one reachable gateway is enough.
    /// Default (empty): <see cref="DefaultGateway"/>, the localhost clustering of Orleans' samples.
    /// </summary>
    public IList<string> Gateways { get; set; } = [];

    /// <summary>
    /// How the client finds the silos' gateways: <c>localhost</c> (the default: the <see cref="Gateways"/> list, as
    /// with silos on localhost clustering) or <c>redis</c> (the active silos' gateways in the membership table of the
    /// Redis server <see cref="Redis"/>, as the silos' <c>--clustering redis</c> publish them; <see cref="Gateways"/>
    /// stays empty).
    /// </summary>
    public string Clustering { get; set; } = ClusterMembership.Localhost;

    /// <summary>
    /// The Redis server of the silos' membership table, <c>host:port</c> (StackExchange.Redis settings such as
    /// <c>password=...</c> may follow, comma-separated). Required with <c>redis</c> clustering, not allowed otherwise.
    /// Default: none.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The silos' cluster id (default <see cref="DefaultClusterId"/>).</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>The silos' service id (default <see cref="DefaultClusterId"/>).</summary>
    public string ServiceId { get; set; } = DefaultClusterId;

    /// <summary>
    /// How long a call may go unanswered before Orleans fails it (Orleans' <c>ClientMessagingOptions.ResponseTimeout</c>):
    /// a fixed chunk size must keep each chunk shorter than this. A silo that dies does not cost its calls this long:
    /// the client finds it gone sooner (docs/faults.md). Default 30 s, Orleans' own.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether chunks for each silo go through that silo's own gateway, on one more connection per silo that the client
    /// opens when its first job runs (default true; the reasons are in docs/faults.md). False: every call goes through
    /// the gateways Orleans picks for it, as with any Orleans client, for a network where the client may reach only
    /// some of the silos' gateways. Environment variable for the <c>grainpool</c> command: <c>GrainPool__SiloRoutes=false</c>.
    /// </summary>
    public bool SiloRoutes { get; set; } = true;

    /// <summary>The default of <see cref="SilentSiloTimeout"/>.</summary>
    public static readonly TimeSpan DefaultSilentSiloTimeout = TimeSpan.FromSeconds(8);

    /// <summary>
    /// How long a silo with calls out may answer neither a call nor a ping (a ping goes out after a second of silence and
    /// may take this long to answer; one slower than 3 s only keeps new chunks off the silo) before the client takes it
    /// for gone and runs its chunks elsewhere: what ends a job's wait on a host that vanished without resetting its
    /// connections, before membership declares it dead (about 25 s). Longer for a network with long pauses, or links so
    /// slow that a ping waits that long behind large item batches: a live silo taken for gone costs its chunks' work
    /// again, never a result twice. Default <see cref="DefaultSilentSiloTimeout"/> (8 s); 3 s to 1 hour. Environment
    /// variable for the <c>grainpool</c> command: <c>GrainPool__SilentSiloTimeout=00:00:15</c>.
    /// </summary>
    public TimeSpan SilentSiloTimeout { get; set; } = DefaultSilentSiloTimeout;

    /// <summary>
    /// A PFX (PKCS#12) file with this client's certificate and private key: when set, the client talks TLS to the
    /// gateways (the silos' <c>--tls-certificate</c>), presents this certificate, and accepts only silos whose certificate
    /// <see cref="TlsTrust"/> accepts. Default: none (TLS off, for silos without TLS).
    /// </summary>
    public string? TlsCertificate { get; set; }

    /// <summary>
    /// Password of <see cref="TlsCertificate"/>, best given as the environment variable <c>GrainPool__TlsCertificatePassword</c>;
    /// or use <see cref="TlsCertificatePasswordFile"/>. Default: none.
    /// </summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>A file whose first line is the password of <see cref="TlsCertificate"/>. Default: none.</summary>
    public string? TlsCertificatePasswordFile { get; set; }

    /// <summary>
    /// Which silo certificates the client accepts: <c>certificate</c> (the default: exactly its own, one certificate
    /// shared by the cluster), <c>ca</c> (issued by the CA of <see cref="TlsCaCertificate"/>) or <c>system</c> (chaining
    /// to the machine's trusted roots). The same rule as the silos' <c>TlsTrust</c>.
    /// </summary>
    public string TlsTrust { get; set; } = ClusterTls.TrustCertificate;

    /// <summary>The CA certificate file (PEM or DER) silos' certificates must chain to, with <see cref="TlsTrust"/> <c>ca</c>. Default: none.</summary>
    public string? TlsCaCertificate { get; set; }

    /// <summary>The TLS settings, for <see cref="ClusterTls"/>.</summary>
    internal ClusterTlsSettings Tls
    {
        get => new(TlsCertificate, TlsCertificatePassword, TlsCertificatePasswordFile, TlsTrust, TlsCaCertificate);
        set
        {
            TlsCertificate = value.Certificate;
            TlsCertificatePassword = value.Password;
            TlsCertificatePasswordFile = value.PasswordFile;
            TlsTrust = value.Trust ?? ClusterTls.TrustCertificate;
            TlsCaCertificate = value.CaCertificate;
        }
    }

    /// <summary>Whether <see cref="Clustering"/> is <c>redis</c>.</summary>
    internal bool UsesRedis => ClusterMembership.IsRedis(Clustering);

    /// <summary>The gateways' endpoints, by the rules of <see cref="GrainPoolConnection.ParseGateways"/>.</summary>
    internal IPEndPoint[] GatewayEndpoints() =>
        Gateways.Count == 0 ? GrainPoolConnection.ParseGateways(DefaultGateway) : [.. Gateways.SelectMany(GrainPoolConnection.ParseGateways)];
}

/// <summary>Checks the options at start-up, naming the setting and its value.</summary>
internal sealed class GrainPoolClientOptionsValidator : IValidateOptions<GrainPoolClientOptions>
{
    public ValidateOptionsResult Validate(string? name, GrainPoolClientOptions options)
    {
        var failures = new List<string>();
        var section = GrainPoolClientOptions.SectionName;
        if (options.ResponseTimeout <= TimeSpan.Zero || options.ResponseTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{section}:ResponseTimeout must be more than 0 and at most 1 hour (got '{options.ResponseTimeout}').");
        }

        if (options.SilentSiloTimeout < SiloWatch.AnswerTimeout || options.SilentSiloTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"{section}:SilentSiloTimeout must be at least {SiloWatch.AnswerTimeout.TotalSeconds:0} s (a ping's time limit) and at most 1 hour (got '{options.SilentSiloTimeout}').");
        }

        if (options.UsesRedis)
        {
            if (ClusterMembership.CheckRedisConnectionString(options.Redis) is { } problem)
            {
                failures.Add($"{section}:Redis {problem}{(options.Redis is null ? "" : $" (got '{ClusterMembership.Redacted(options.Redis)}')")}.");
            }
            else
            {
                try
                {
                    StackExchange.Redis.ConfigurationOptions.Parse(options.Redis!);
                }
                catch (ArgumentException ex)
                {
                    failures.Add($"{section}:Redis has a setting StackExchange.Redis does not accept: {ex.Message} (got '{ClusterMembership.Redacted(options.Redis)}').");
                }
            }

            if (options.Gateways.Count > 0)
            {
                failures.Add($"{section}:Gateways must be empty with redis clustering, where the gateways come from Redis (got '{string.Join(',', options.Gateways)}').");
            }
        }
        else if (!ClusterMembership.IsLocalhost(options.Clustering))
        {
            failures.Add($"{section}:Clustering must be {ClusterMembership.Localhost} (a list of gateways) or {ClusterMembership.Redis} (gateways from Redis membership) (got '{options.Clustering}').");
        }
        else if (options.Redis is not null)
        {
            failures.Add($"{section}:Redis applies only with {section}:Clustering {ClusterMembership.Redis} (got '{ClusterMembership.Redacted(options.Redis)}').");
        }

        foreach (var gateway in options.Gateways)
        {
            try
            {
                if (GrainPoolConnection.ParseGateways(gateway).Length == 0)
                {
                    failures.Add($"{GrainPoolClientOptions.SectionName}:Gateways has an empty entry.");
                }
            }
            catch (Exception ex) when (ex is FormatException or System.Net.Sockets.SocketException)
            {
                failures.Add($"{GrainPoolClientOptions.SectionName}:Gateways entry '{gateway}': {ex.Message}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{GrainPoolClientOptions.SectionName}:ClusterId must not be empty; it was '{options.ClusterId}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{GrainPoolClientOptions.SectionName}:ServiceId must not be empty; it was '{options.ServiceId}'.");
        }

        foreach (var problem in ClusterTls.Problems(options.Tls, setting => $"{section}:{setting}"))
        {
            failures.Add($"{section}:{problem.Setting} {problem}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
