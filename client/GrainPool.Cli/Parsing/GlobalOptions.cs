using System.CommandLine;
using System.Net;
using GrainPool.Abstractions;
using GrainPool.Cli.Running;
using GrainPool.Client;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Parsing;

/// <summary>The options every command takes: where and how wide to run, and how to print.</summary>
/// <param name="Mode">Where the job runs.</param>
/// <param name="Threads">
/// <c>--threads</c>, or null when not given: threads in process, advertised cores of the embedded silo, total cores of
/// the <c>--silos</c> processes, or the most workers a job uses on a joined cluster.
/// </param>
/// <param name="ChunkSize">Numbers (or items) per chunk; null lets the runner choose.</param>
/// <param name="Json">Print one JSON object instead of text.</param>
internal sealed record GlobalOptions(RunnerMode Mode, int? Threads, ulong? ChunkSize, bool Json)
{
    /// <summary>The most worker threads <c>--threads</c> accepts.</summary>
    public const int MaxThreads = 1024;

    /// <summary>The most silo processes <c>--silos</c> starts.</summary>
    public const int MaxSilos = 64;

    /// <summary>The cluster id <c>--cluster</c> joins when <c>--cluster-id</c> is not given (the silo's own default).</summary>
    public const string DefaultClusterId = "grainpool";

    /// <summary>Selects the in-process runner.</summary>
    public const string InProcess = "--in-process";

    /// <summary>Starts N local silo processes.</summary>
    public const string SilosOption = "--silos";

    /// <summary>Joins a running cluster.</summary>
    public const string ClusterOption = "--cluster";

    /// <summary>Membership mode: localhost (default) or redis.</summary>
    public const string ClusteringOption = "--clustering";

    /// <summary>The Redis server of the membership with --clustering redis.</summary>
    public const string RedisOption = "--redis";

    /// <summary>Cluster id for --cluster and --silos.</summary>
    public const string ClusterIdOption = "--cluster-id";

    /// <summary>Worker thread count.</summary>
    public const string ThreadsOption = "--threads";

    /// <summary>Chunk size.</summary>
    public const string ChunkSizeOption = "--chunk-size";

    /// <summary>JSON output.</summary>
    public const string JsonOption = "--json";

    /// <summary>The flag that adds the whole exception to an error line.</summary>
    public const string VerboseOption = "--verbose";

    /// <summary>Serves the client's (and an embedded silo's) metrics for Prometheus while the command runs.</summary>
    public const string MetricsPortOption = "--metrics-port";

    /// <summary>The client's certificate (PFX) for a cluster that uses TLS.</summary>
    public const string TlsCertificateOption = "--tls-certificate";

    /// <summary>A file whose first line is the certificate's password.</summary>
    public const string TlsPasswordFileOption = "--tls-password-file";

    /// <summary>Which silo certificates to trust.</summary>
    public const string TlsTrustOption = "--tls-trust";

    /// <summary>The CA certificate silos' certificates chain to, with --tls-trust ca.</summary>
    public const string TlsCaOption = "--tls-ca";

    /// <summary>
    /// The environment variable that gives the certificate's password (the client options' own configuration key, so the
    /// client library reads it too); a password on the command line would be visible to other users of the machine.
    /// </summary>
    public static readonly string TlsPasswordVariable = GrainPoolClientOptions.SectionName + "__" + ClusterTlsSettings.PasswordSetting;

    private static readonly Option<bool> InProcessFlag =
        CliOptions.Flag(InProcess, "Run on threads of this process, no cluster (the baseline)");

    private static readonly Option<ulong> Silos =
        CliOptions.Number(SilosOption, "N", $"Start N silo processes here (1 to {MaxSilos}), each pinned to its share of the CPUs, and run on them");

    private static readonly Option<string> Cluster =
        CliOptions.Text(ClusterOption, "H:P,...", "Join a running cluster through these gateways (host:port, comma-separated)");

    private static readonly Option<string> ClusteringText =
        CliOptions.Text(ClusteringOption, "MODE",
            $"Membership: {ClusterMembership.Localhost} (default) or {ClusterMembership.Redis}; with redis, {RedisOption} H:P finds the silos in Redis (no {ClusterOption} needed) and {SilosOption} N starts them on 127.0.0.2, 127.0.0.3, ...");

    private static readonly Option<string> RedisText =
        CliOptions.Text(RedisOption, "H:P", $"The Redis server of the silos' membership, with {ClusteringOption} {ClusterMembership.Redis}");

    private static readonly Option<string> ClusterIdText =
        CliOptions.Text(ClusterIdOption, "ID", $"Cluster id for --cluster or --clustering redis (default {DefaultClusterId}) or for the silos --silos starts (default: a new one)");

    private static readonly Option<ulong> ThreadCount =
        CliOptions.Number(ThreadsOption, "T", $"Workers, 1 to {MaxThreads}: threads (--in-process), silo cores (embedded), total cores (--silos), most workers (--cluster); default: the cores here ({Environment.ProcessorCount}), or every worker of a joined cluster");

    private static readonly Option<ulong> Chunk =
        CliOptions.Number(ChunkSizeOption, "C", "Numbers (or items) per chunk, at least 1 (default: paced to about 0.5 s of measured kernel time per chunk, smaller at the end)");

    private static readonly Option<bool> JsonFlag =
        CliOptions.Flag(JsonOption, "Print exactly one JSON object on standard output instead of text");

    private static readonly Option<bool> VerboseFlag =
        CliOptions.Flag(VerboseOption, "Print the cluster client's warnings (a silo lost, a chunk run again) as they happen, and on an error the whole exception (types, messages, stack) after the error line");

    private static readonly Option<ulong> MetricsPortNumber =
        CliOptions.Number(MetricsPortOption, "P", "Serve metrics at http://127.0.0.1:P/metrics while the command runs (client meter; embedded: the silo's too)");

    private static readonly Option<string> TlsCertificateText =
        CliOptions.Text(TlsCertificateOption, "FILE", $"With {ClusterOption} or {ClusteringOption} redis: talk TLS to the silos, presenting this PFX certificate (its password from {TlsPasswordFileOption} or the environment variable {TlsPasswordVariable})");

    private static readonly Option<string> TlsPasswordFileText =
        CliOptions.Text(TlsPasswordFileOption, "FILE", $"A file whose first line is the password of {TlsCertificateOption}");

    private static readonly Option<string> TlsTrustText =
        CliOptions.Text(TlsTrustOption, "MODE", $"Silo certificates trusted with {TlsCertificateOption}: {ClusterTls.TrustCertificate} (the same certificate; default), {ClusterTls.TrustCa} (issued by {TlsCaOption} FILE) or {ClusterTls.TrustSystem} (the machine's trusted roots)");

    private static readonly Option<string> TlsCaText =
        CliOptions.Text(TlsCaOption, "FILE", $"The CA certificate (PEM or DER) silos' certificates chain to, with {TlsTrustOption} {ClusterTls.TrustCa}");

    private static readonly Option[] ModeOptions = [InProcessFlag, Silos, Cluster];

    /// <summary>The global options, in the order help lists them.</summary>
    public static IReadOnlyList<Option> All { get; } = [InProcessFlag, Silos, Cluster, ClusteringText, RedisText, ClusterIdText, ThreadCount, Chunk, JsonFlag, MetricsPortNumber, VerboseFlag,
        TlsCertificateText, TlsPasswordFileText, TlsTrustText, TlsCaText];

    /// <summary>Gives <paramref name="command"/> the global options, so they may stand before, among or after its words.</summary>
    public static void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Add(option);
        }
    }

    /// <summary>Silo processes to start (<see cref="RunnerMode.Silos"/>).</summary>
    public int SiloCount { get; init; }

    /// <summary>
    /// Gateways of the cluster to join (<see cref="RunnerMode.Remote"/> with localhost clustering), as given
    /// (<c>host:port,...</c>, checked); names are resolved when the runner connects (<see cref="ResolveGatewaysAsync"/>),
    /// not while the arguments are read.
    /// </summary>
    public string? Gateways { get; init; }

    /// <summary>
    /// Resolves <see cref="Gateways"/>.
    /// </summary>
    /// <exception cref="UsageException">A host name does not resolve; the message names <c>--cluster</c> and the value.</exception>
    public async Task<IPEndPoint[]> ResolveGatewaysAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await GrainPoolConnection.ResolveGatewaysAsync(Gateways ?? "", cancellationToken);
        }
        catch (FormatException ex)
        {
            throw UsageException.ForValue(ClusterOption, Gateways ?? "", ex.Message);
        }
    }

    /// <summary>
    /// <c>--redis</c> with <c>--clustering redis</c>: the Redis server where the cluster joined
    /// (<see cref="RunnerMode.Remote"/>) keeps its membership, or where the silos of <see cref="RunnerMode.Silos"/>
    /// keep theirs; null with localhost clustering.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary><c>--metrics-port</c>, or null when not given.</summary>
    public int? MetricsPort { get; init; }

    /// <summary><c>--cluster-id</c>, or null when not given.</summary>
    public string? ClusterId { get; init; }

    /// <summary>
    /// The TLS settings of <c>--tls-certificate</c> and its companions (checked: the files load), or null when TLS is
    /// off. Remote mode only.
    /// </summary>
    public ClusterTlsSettings? Tls { get; init; }

    /// <summary>Gives a client's options this command's TLS settings (nothing when TLS is off).</summary>
    public void ConfigureTls(GrainPoolClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Tls is { } tls)
        {
            options.Tls = tls;
        }
    }

    /// <summary>
    /// Where the client of a cluster writes its warnings (<c>--verbose</c>: <see cref="Output.VerboseLog"/> on standard
    /// error); null: nowhere.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerProvider? ClientLog { get; init; }

    /// <summary><c>--chunk-size</c> as the user typed it, for error lines; null when not given.</summary>
    public string? ChunkSizeText { get; init; }

    /// <summary>Reads and checks the global options from <paramref name="parse"/>.</summary>
    public static GlobalOptions Bind(ParseResult parse)
    {
        var modes = ModeOptions.Where(parse.Given).Select(o => o.Name).ToArray();
        if (modes.Length > 1)
        {
            throw new UsageException(
                $"{string.Join(" and ", modes)}: give at most one; {InProcess}, {SilosOption} N and {ClusterOption} H:P each choose where the work runs");
        }

        var redis = BindRedis(parse);
        if (redis is not null && modes.FirstOrDefault(m => m is InProcess or ClusterOption) is { } conflicting)
        {
            throw new UsageException(conflicting == ClusterOption
                ? $"{ClusterOption} and {ClusteringOption} {ClusterMembership.Redis}: give one; with redis the gateways come from Redis ({RedisOption} H:P)"
                : $"{InProcess} and {ClusteringOption} {ClusterMembership.Redis}: give one; {InProcess} runs no cluster");
        }

        var mode = modes.FirstOrDefault() switch
        {
            InProcess => RunnerMode.InProcess,
            SilosOption => RunnerMode.Silos,
            ClusterOption => RunnerMode.Remote,
            _ when redis is not null => RunnerMode.Remote,
            _ => RunnerMode.Embedded,
        };

        int? threads = null;
        if (parse.Given(ThreadCount))
        {
            var requested = parse.GetValue(ThreadCount);
            if (requested < 1)
            {
                throw UsageException.ForValue(ThreadsOption, parse.Typed(ThreadCount)!, "must be at least 1");
            }

            if (requested > MaxThreads)
            {
                throw UsageException.ForValue(ThreadsOption, parse.Typed(ThreadCount)!, $"is larger than {MaxThreads}");
            }

            threads = (int)requested;
        }

        ulong? chunkSize = null;
        if (parse.Given(Chunk))
        {
            chunkSize = parse.GetValue(Chunk);
            if (!ChunkPolicy.IsValid(chunkSize))
            {
                throw UsageException.ForValue(ChunkSizeOption, parse.Typed(Chunk)!, "must be at least 1");
            }
        }

        var siloCount = 0;
        if (parse.Given(Silos))
        {
            var requested = parse.GetValue(Silos);
            var silosText = parse.Typed(Silos)!;
            if (requested is < 1 or > MaxSilos)
            {
                throw UsageException.ForValue(SilosOption, silosText, $"must be from 1 to {MaxSilos}");
            }

            siloCount = (int)requested;
            if (threads < siloCount)
            {
                throw UsageException.ForValue(ThreadsOption, parse.Typed(ThreadCount)!, $"is fewer than --silos '{silosText}': each silo needs at least one core");
            }
        }

        string? gateways = null;
        if (parse.GetValue(Cluster) is { } clusterText)
        {
            CheckGateways(clusterText);
            gateways = clusterText;
        }

        var clusterId = parse.GetValue(ClusterIdText);
        if (clusterId is not null)
        {
            if (mode is not (RunnerMode.Remote or RunnerMode.Silos))
            {
                throw UsageException.ForValue(ClusterIdOption, clusterId, $"applies only with {ClusterOption}, {ClusteringOption} {ClusterMembership.Redis} or {SilosOption}");
            }

            if (string.IsNullOrWhiteSpace(clusterId) || clusterId.Any(char.IsWhiteSpace))
            {
                throw UsageException.ForValue(ClusterIdOption, clusterId, "must be a non-empty id without spaces");
            }
        }

        int? metricsPort = null;
        if (parse.Given(MetricsPortNumber))
        {
            var port = parse.GetValue(MetricsPortNumber);
            if (port is < 1 or > 65535)
            {
                throw UsageException.ForValue(MetricsPortOption, parse.Typed(MetricsPortNumber)!, "must be a TCP port from 1 to 65535");
            }

            metricsPort = (int)port;
        }

        var tls = BindTls(parse, mode);

        return new GlobalOptions(mode, threads, chunkSize, parse.GetValue(JsonFlag))
        {
            Tls = tls,
            MetricsPort = metricsPort,
            SiloCount = siloCount,
            Gateways = gateways,
            Redis = redis,
            ClusterId = clusterId,
            ChunkSizeText = parse.Typed(Chunk),
        };
    }

    /// <summary>
    /// Checks that <see cref="ChunkSize"/> splits a range of <paramref name="width"/> numbers into a chunk count the runner
    /// can index (a signed 64-bit count), which a chunk size of 1 over all 2^64 numbers would not.
    /// </summary>
    public void EnsureChunkCountFits(UInt128 width)
    {
        if (ChunkSize is { } size && ChunkPolicy.ChunkCount(width, size) > long.MaxValue)
        {
            throw UsageException.ForValue(ChunkSizeOption, ChunkSizeText!, $"splits the range into more than {long.MaxValue} chunks");
        }
    }

    /// <summary>The map chunk size (items per chunk), or null to let the runner choose.</summary>
    public int? MapChunkSize => ChunkSize is { } size ? (int)Math.Min(size, int.MaxValue) : null;

    // --clustering and --redis: the Redis server with redis clustering, null with localhost (the default).
    private static string? BindRedis(ParseResult parse)
    {
        var clustering = parse.GetValue(ClusteringText);
        var redisText = parse.GetValue(RedisText);
        if (clustering is not null && !ClusterMembership.IsLocalhost(clustering) && !ClusterMembership.IsRedis(clustering))
        {
            throw UsageException.ForValue(ClusteringOption, clustering, $"must be {ClusterMembership.Localhost} or {ClusterMembership.Redis}");
        }

        if (!ClusterMembership.IsRedis(clustering))
        {
            return redisText is null
                ? null
                : throw UsageException.ForValue(RedisOption, ClusterMembership.Redacted(redisText), $"applies only with {ClusteringOption} {ClusterMembership.Redis}");
        }

        if (redisText is null)
        {
            throw UsageException.ForValue(ClusteringOption, clustering!, $"needs {RedisOption} H:P, the Redis server of the silos' membership");
        }

        return ClusterMembership.CheckRedisConnectionString(redisText) is { } problem
            ? throw UsageException.ForValue(RedisOption, ClusterMembership.Redacted(redisText), problem)
            : redisText;
    }

    // --tls-certificate and its companions: remote mode only (the silos this command starts itself do not use TLS);
    // the files are loaded now, so a missing file or a wrong password is a usage error naming its option and file.
    private static ClusterTlsSettings? BindTls(ParseResult parse, RunnerMode mode)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClusterTlsSettings.CertificateSetting] = TlsCertificateOption,
            [ClusterTlsSettings.PasswordFileSetting] = TlsPasswordFileOption,
            [ClusterTlsSettings.TrustSetting] = TlsTrustOption,
            [ClusterTlsSettings.CaCertificateSetting] = TlsCaOption,
            [ClusterTlsSettings.PasswordSetting] = "the environment variable " + TlsPasswordVariable,
        };
        Option<string>[] options = [TlsCertificateText, TlsPasswordFileText, TlsTrustText, TlsCaText];
        if (options.FirstOrDefault(parse.Given) is not { } first)
        {
            return null;
        }

        if (mode != RunnerMode.Remote)
        {
            throw UsageException.ForValue(first.Name, parse.GetValue(first)!,
                $"applies only with {ClusterOption} or {ClusteringOption} {ClusterMembership.Redis} (a running cluster; the silos of {SilosOption} and the embedded one do not use TLS)");
        }

        if (!parse.Given(TlsCertificateText))
        {
            throw UsageException.ForValue(first.Name, parse.GetValue(first)!, $"needs {TlsCertificateOption} FILE, the client's certificate, which turns TLS on");
        }

        var settings = new ClusterTlsSettings(
            parse.GetValue(TlsCertificateText),
            Environment.GetEnvironmentVariable(TlsPasswordVariable),
            parse.GetValue(TlsPasswordFileText),
            parse.GetValue(TlsTrustText),
            parse.GetValue(TlsCaText));
        if (ClusterTls.Problems(settings, setting => flags[setting]).FirstOrDefault() is { Setting: not null } problem)
        {
            var option = flags[problem.Setting];
            throw problem.Value is null ? new UsageException($"{option} {problem.Problem}") : UsageException.ForValue(option, problem.Value, problem.Problem);
        }

        return settings.Enabled ? settings : null;
    }

    private static void CheckGateways(string text)
    {
        IReadOnlyList<(string Host, int Port)> gateways;
        try
        {
            gateways = GrainPoolConnection.SplitGateways(text);
        }
        catch (FormatException ex)
        {
            // The library's reason repeats the bad entry whole; for a value too long to quote whole, the line goes without it.
            throw UsageException.ForValue(ClusterOption, text,
                "is not a list of gateways host:port[,host:port...]" + (text.Length <= UsageException.MaxQuoted ? $" ({ex.Message})" : ""));
        }

        if (gateways.Count == 0)
        {
            throw UsageException.ForValue(ClusterOption, text, "names no gateway; expected host:port[,host:port...]");
        }
    }
}
