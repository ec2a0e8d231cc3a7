using System.Globalization;
using GrainPool.Abstractions;

namespace GrainPool.Hosting;

/// <summary>
/// Settings of one GrainPool silo process, bound from the configuration section <see cref="SectionName"/>
/// (appsettings.json, <c>GrainPool__Silo__*</c> environment variables, <c>--GrainPool:Silo:*</c> or the short flags of
/// <see cref="SiloCommandLine"/>). Every setting has a default, so a bare <c>dotnet GrainPool.Silo.dll</c> starts a
/// one-silo development cluster on loopback.
/// </summary>
public sealed class GrainPoolSiloOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "GrainPool:Silo";

    /// <summary>Development membership hosted by the primary silo, all silos on one machine (the default).</summary>
    public const string LocalhostClustering = ClusterMembership.Localhost;

    /// <summary>Membership in a Redis server (<see cref="Redis"/>): no primary, each silo on its own advertised address.</summary>
    public const string RedisClustering = ClusterMembership.Redis;

    /// <summary>Orleans cluster id; silos with different ids never join each other. Default <c>grainpool</c>.</summary>
    public string ClusterId { get; set; } = "grainpool";

    /// <summary>Orleans service id (stable across deployments of the same service). Default <c>grainpool</c>.</summary>
    public string ServiceId { get; set; } = "grainpool";

    /// <summary>
    /// Silo name shown in logs, topology and the ready line. Default <c>silo-&lt;SiloPort&gt;</c>, with redis
    /// clustering <c>silo-&lt;advertised address&gt;-&lt;SiloPort&gt;</c> (see <see cref="EffectiveName"/>).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Port for silo-to-silo traffic. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients connect to (the gateway). Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Silo port of the primary silo, which hosts the development membership table. Default: this silo's own
    /// <see cref="SiloPort"/>, i.e. this silo is the primary. Other silos of the cluster pass the primary's port.
    /// Localhost clustering only: with <c>redis</c> there is no primary.
    /// </summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>Port of the HTTP endpoint (<c>/healthz</c>). Default 8080; 0 picks a free port (reported in the ready line).</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Worker slots this silo offers, one compute worker activation each. Default: the processor count the process sees.</summary>
    public int AdvertisedCores { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Membership mode: <c>localhost</c> (the default: a primary silo hosts the table, all silos on one machine) or
    /// <c>redis</c> (the table lives in the Redis server of <see cref="Redis"/>; silos start in any order, on any hosts).
    /// </summary>
    public string Clustering { get; set; } = LocalhostClustering;

    /// <summary>
    /// The Redis server holding the membership table with <c>redis</c> clustering: <c>host:port</c> (more endpoints
    /// and StackExchange.Redis settings such as <c>password=...</c> may follow, comma-separated). Required with
    /// <c>redis</c>, not allowed with <c>localhost</c>. Default: none.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Address the HTTP, silo and gateway endpoints listen on. Default <c>127.0.0.1</c> (loopback only). With localhost
    /// clustering the silo always advertises 127.0.0.1, so only loopback or a wildcard address (0.0.0.0, ::) is valid.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Address this silo publishes in the membership table, where other silos and clients reach its silo and gateway
    /// ports (<c>redis</c> clustering). Default: <see cref="ListenAddress"/>; a wildcard listen address (0.0.0.0, ::)
    /// needs an explicit one. With localhost clustering the silo always advertises 127.0.0.1.
    /// </summary>
    public string? AdvertiseAddress { get; set; }

    /// <summary>
    /// Whether the silo runs in a Kubernetes pod under Orleans' Kubernetes hosting
    /// (<c>Microsoft.Orleans.Hosting.Kubernetes</c>, on top of <c>redis</c> membership): it labels its pod with the
    /// service and cluster ids and watches the cluster's pods, so a silo whose pod is deleted is declared dead at once
    /// instead of after missed probes. Needs the pod's <c>POD_NAME</c> and <c>POD_NAMESPACE</c> (downward API) and a
    /// service account allowed to get, list, watch and patch pods (deploy/kubernetes). The explicit settings here
    /// (<see cref="Name"/>, <see cref="ClusterId"/>, <see cref="AdvertiseAddress"/>, ports) keep precedence over what
    /// the hosting reads from the pod, so <see cref="Name"/> must be the pod's name (required): the hosting declares dead
    /// every silo whose name is not a pod's. Default false.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>
    /// Who may open the Orleans Dashboard at <c>/dashboard</c> on the HTTP port: <c>loopback</c> (the default: requests
    /// from this machine only, even when <see cref="ListenAddress"/> is a wildcard), <c>any</c>, or <c>off</c>.
    /// </summary>
    public string Dashboard { get; set; } = DashboardLoopback;

    /// <summary><see cref="Dashboard"/>: local requests only.</summary>
    public const string DashboardLoopback = "loopback";

    /// <summary><see cref="Dashboard"/>: any client that reaches the HTTP port.</summary>
    public const string DashboardAny = "any";

    /// <summary><see cref="Dashboard"/>: not served.</summary>
    public const string DashboardOff = "off";

    /// <summary>
    /// How long a silo waits for another to answer a liveness probe, and the period between probes, in milliseconds
    /// (Orleans' <c>ClusterMembershipOptions.ProbeTimeout</c>; Orleans' own default is 5 s). With the defaults here a
    /// silo that dies is declared dead by the others in about <see cref="MissedProbesLimit"/> x 2 s (measured 4-8 s), where
    /// Orleans' defaults take 10-15 s; clients do not wait for it (they ask a silo that stops answering directly). A
    /// shorter time detects faster, at the risk of declaring dead a silo that is only slow (a declared-dead silo stops).
    /// Default 2000.
    /// </summary>
    public int ProbeTimeoutMs { get; set; } = 2000;

    /// <summary>Probes in a row a silo may miss before the prober votes it dead (Orleans' <c>NumMissedProbesLimit</c>). Default 3.</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// Votes that declare a silo dead (Orleans' <c>NumVotesForDeathDeclaration</c>); in a cluster of fewer active silos
    /// Orleans needs a majority of them instead. Default 2.
    /// </summary>
    public int DeathVotes { get; set; } = 2;

    /// <summary>
    /// How often a silo writes its heartbeat to the membership table, in seconds (Orleans' <c>IAmAliveTablePublishTimeout</c>,
    /// default there 30 s). A silo whose heartbeat is three periods old counts no more toward the votes needed, so when
    /// most silos die at once the survivors can declare them dead after three periods. Default 10.
    /// </summary>
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>How long a compute worker runs between checks for cancellation, in milliseconds. Default 50.</summary>
    public int SliceTargetMs { get; set; } = 50;

    /// <summary>How long a graceful stop may take (chunks in flight finish, then the silo leaves the cluster). Default 30 s.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Process id of a launcher that owns this silo: when that process exits, the silo stops gracefully, so a crashed
    /// test run or benchmark leaves no orphan silos holding ports. Default: none.
    /// </summary>
    public int? ParentProcessId { get; set; }

    /// <summary>
    /// A file that silos started together on one machine lock in turn while they write themselves into the membership
    /// table, instead of colliding there and waiting out Orleans' 2 to 4 s contention back-off. The local launcher
    /// (<c>--silos N</c>) gives its silos one; a silo started alone needs none. Default: none.
    /// </summary>
    public string? JoinLockFile { get; set; }

    /// <summary>
    /// Seconds a new connection has to deliver its opening: on the silo and gateway ports Orleans' connection preamble
    /// (the first frame every Orleans silo and client sends), on the HTTP port its request headers. A connection that
    /// sends nothing, or garbage, is closed after this time instead of holding a file descriptor forever. Default 10
    /// (1-3600).
    /// </summary>
    public int HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds an established silo or gateway connection may go with no bytes either way before it is closed; 0 (the
    /// default) never closes one. Orleans sends nothing on an idle connection (no keep-alive messages): a client between
    /// jobs, or a silo that probes other silos, can be silent for any time, and a closed connection makes it reconnect, so
    /// set this only well above the longest quiet time you expect (0-86400).
    /// </summary>
    public int IdleTimeoutSeconds { get; set; }

    /// <summary>
    /// Inbound connections open at once on each of the silo, gateway and HTTP ports. A connection beyond it is closed at
    /// once (HTTP: refused by Kestrel) and a warning logged, at most one line per 10 s. A silo holds one connection from
    /// each other silo and each client one per gateway, so the default 1000 (1-100000) leaves room for large clusters.
    /// </summary>
    public int MaxConnectionsPerPort { get; set; } = 1000;

    /// <summary>
    /// User name of the Orleans Dashboard's credential (HTTP Basic authentication on <c>/dashboard</c>), with
    /// <see cref="DashboardPassword"/> or <see cref="DashboardPasswordFile"/>. With a credential every dashboard request
    /// must carry it (401 otherwise); <see cref="Dashboard"/> still says from where. Without one, a silo listening on
    /// a non-loopback address logs a warning at start and its dashboard answers local requests only. Default: none.
    /// </summary>
    public string? DashboardUser { get; set; }

    /// <summary>
    /// Password of the dashboard's credential, best given as the environment variable
    /// <c>GrainPool__Silo__DashboardPassword</c> (a command line is visible to other users of the machine); or use
    /// <see cref="DashboardPasswordFile"/>. Default: none.
    /// </summary>
    public string? DashboardPassword { get; set; }

    /// <summary>A file whose first line is the dashboard's password (instead of <see cref="DashboardPassword"/>). Default: none.</summary>
    public string? DashboardPasswordFile { get; set; }

    /// <summary>
    /// A PFX (PKCS#12) file with this silo's certificate and private key: when set, silo-to-silo and gateway connections
    /// use TLS (<c>Microsoft.Orleans.Connections.Security</c>), and every peer, silo or client, must present a certificate
    /// that <see cref="TlsTrust"/> accepts. Default: none (TLS off).
    /// </summary>
    public string? TlsCertificate { get; set; }

    /// <summary>
    /// Password of <see cref="TlsCertificate"/>, best given as the environment variable
    /// <c>GrainPool__Silo__TlsCertificatePassword</c>; or use <see cref="TlsCertificatePasswordFile"/>. Default: none
    /// (a PFX without a password).
    /// </summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>A file whose first line is the password of <see cref="TlsCertificate"/>. Default: none.</summary>
    public string? TlsCertificatePasswordFile { get; set; }

    /// <summary>
    /// Which peer certificates TLS accepts: <c>certificate</c> (the default: exactly this silo's own certificate, one
    /// certificate shared by the cluster and its clients), <c>ca</c> (any certificate issued by the CA of
    /// <see cref="TlsCaCertificate"/>) or <c>system</c> (any certificate chaining to the machine's trusted roots).
    /// </summary>
    public string TlsTrust { get; set; } = ClusterTls.TrustCertificate;

    /// <summary>The CA certificate file (PEM or DER) that peers' certificates must chain to, with <see cref="TlsTrust"/> <c>ca</c>. Default: none.</summary>
    public string? TlsCaCertificate { get; set; }

    /// <summary>Whether TLS is on (<see cref="TlsCertificate"/> is set).</summary>
    public bool UsesTls => Tls.Enabled;

    /// <summary>The TLS settings, for <see cref="ClusterTls"/>, which loads and checks them as the clients do.</summary>
    internal ClusterTlsSettings Tls => new(TlsCertificate, TlsCertificatePassword, TlsCertificatePasswordFile, TlsTrust, TlsCaCertificate);

    /// <summary>
    /// The effective silo name: <see cref="Name"/>, or when it is not set <c>silo-&lt;SiloPort&gt;</c> (localhost
    /// clustering, all silos on 127.0.0.1) or <c>silo-&lt;advertised address&gt;-&lt;SiloPort&gt;</c> (redis, where
    /// silos on different addresses may share a port).
    /// </summary>
    public string EffectiveName => !string.IsNullOrWhiteSpace(Name) ? Name
        : UsesRedis ? $"silo-{EffectiveAdvertiseAddress}-{SiloPort.ToString(CultureInfo.InvariantCulture)}"
        : "silo-" + SiloPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>The effective primary silo port: <see cref="PrimarySiloPort"/>, or this silo's own port.</summary>
    public int EffectivePrimarySiloPort => PrimarySiloPort ?? SiloPort;

    /// <summary>Whether this silo is the primary of its development cluster (never with <c>redis</c> clustering).</summary>
    public bool IsPrimary => !UsesRedis && EffectivePrimarySiloPort == SiloPort;

    /// <summary>Whether <see cref="Clustering"/> is <c>redis</c>.</summary>
    public bool UsesRedis => ClusterMembership.IsRedis(Clustering);

    /// <summary>The effective advertised address: <see cref="AdvertiseAddress"/>, or <see cref="ListenAddress"/> when it is not set.</summary>
    public string EffectiveAdvertiseAddress => string.IsNullOrWhiteSpace(AdvertiseAddress) ? ListenAddress : AdvertiseAddress;
}
