using System.CommandLine;
using GrainPool.Cli.Parsing;
using GrainPool.Hosting;

namespace GrainPool.Cli.Commands;

/// <summary>
/// <c>grainpool silo</c>: runs a GrainPool silo in the foreground of this terminal through
/// <see cref="GrainPoolSiloHost.RunAsync"/>, the one code path silo/GrainPool.Silo's Program also runs, with the same
/// flags and configuration.
/// Ctrl+C or SIGTERM stops it gracefully (chunks in flight finish, then it leaves the cluster).
/// </summary>
internal static class SiloCommand
{
    private const string ConfigurationKeyFlag = "--GrainPool:Silo:<Setting>";

    // What each of the silo's short flags means. The flags themselves come from SiloCommandLine, so a flag the silo adds
    // shows up here (with a pointer to the silo's docs until it gets a line; a test checks that none is missing).
    private static readonly Dictionary<string, (string Value, string Description)> Descriptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--silo-port"] = ("P", "Port for silo-to-silo traffic (default 11111)"),
        ["--gateway-port"] = ("P", "Port clients connect to, the H:P of 'grainpool --cluster' (default 30000)"),
        ["--http-port"] = ("P", "Port of GET /healthz (default 8080; 0 picks a free port)"),
        ["--primary-port"] = ("P", "Silo port of the primary silo to join, localhost clustering only (default: this silo is the primary)"),
        ["--cores"] = ("N", "Worker slots this silo offers (default: the cores it sees)"),
        ["--cluster-id"] = ("ID", "Orleans cluster id; clients pass it as --cluster-id (default grainpool)"),
        ["--service-id"] = ("ID", "Orleans service id (default grainpool)"),
        ["--name"] = ("NAME", "Silo name in logs and topology (default silo-<silo port>; with redis silo-<address>-<silo port>)"),
        ["--clustering"] = ("MODE", "Membership: localhost (default; a primary silo, all silos on one machine) or redis (needs --redis)"),
        ["--redis"] = ("H:P", "Redis server holding the membership table, with --clustering redis"),
        ["--listen-address"] = ("IP", "Address the silo listens on (default 127.0.0.1; 0.0.0.0 for every interface)"),
        ["--advertise-address"] = ("IP", "Address other silos and clients reach this silo at, with redis (default: the listen address)"),
        ["--slice-target-ms"] = ("MS", "How long a worker computes between checks for cancellation, 1 to 1000 (default 50)"),
        ["--dashboard"] = ("WHO", "Orleans Dashboard at /dashboard on the HTTP port: loopback (default), any or off"),
        ["--shutdown-timeout"] = ("S", "Seconds a graceful stop may take (default 30)"),
        ["--parent-pid"] = ("PID", "Stop when this process exits"),
        ["--join-lock"] = ("FILE", "Silos started together on one machine lock FILE in turn to join (no 2-4 s write collisions)"),
        ["--probe-timeout-ms"] = ("MS", "Liveness probe timeout and period between silos, 100 to 60000 (default 2000; Orleans' own 5000)"),
        ["--missed-probes"] = ("N", "Probes in a row a silo may miss before it is voted dead, 1 to 10 (default 3)"),
        ["--death-votes"] = ("N", "Votes that declare a silo dead, 1 to 10 (default 2; a majority in smaller clusters)"),
        ["--heartbeat-seconds"] = ("S", "Heartbeat period in the membership table, 1 to 300 (default 10; Orleans' own 30)"),
        ["--handshake-timeout"] = ("S", "Seconds a new connection has to send its Orleans preamble or HTTP headers, 1 to 3600 (default 10)"),
        ["--idle-timeout"] = ("S", "Close silo and gateway connections silent this many seconds, 0 to 86400 (default 0: never)"),
        ["--max-connections"] = ("N", "Connections open at once on each of the silo, gateway and HTTP ports, 1 to 100000 (default 1000)"),
        ["--dashboard-user"] = ("USER", "Dashboard credential (HTTP Basic); the password from GrainPool__Silo__DashboardPassword or --dashboard-password-file"),
        ["--dashboard-password-file"] = ("FILE", "A file whose first line is the dashboard's password"),
        ["--tls-certificate"] = ("FILE", "PFX certificate: TLS on silo and gateway connections; peers must present a trusted certificate (password: GrainPool__Silo__TlsCertificatePassword or --tls-password-file)"),
        ["--tls-password-file"] = ("FILE", "A file whose first line is the password of --tls-certificate"),
        ["--tls-trust"] = ("MODE", "Peer certificates trusted: certificate (the same one; default), ca (issued by --tls-ca) or system (the machine's roots)"),
        ["--tls-ca"] = ("FILE", "CA certificate (PEM or DER) peers' certificates chain to, with --tls-trust ca"),
    };

    /// <summary>The command as the command line and help see it.</summary>
    public static DetailedCommand Definition { get; } = CreateDefinition();

    /// <summary>Flags of <see cref="Descriptions"/> that the silo does not have, or silo flags without a description (both empty when in step).</summary>
    internal static (IReadOnlyList<string> Undescribed, IReadOnlyList<string> Unknown) DescriptionDrift() =>
        ([.. SiloCommandLine.SwitchMappings.Keys.Where(f => !Descriptions.ContainsKey(f))],
         [.. Descriptions.Keys.Where(f => !SiloCommandLine.SwitchMappings.ContainsKey(f))]);

    /// <summary>
    /// Checks the silo arguments: each option is one of the silo's flags or a <c>--Section:Key</c> configuration key,
    /// with a value (a typo such as <c>--silo-prot</c> is an error here, where the configuration binder would ignore it).
    /// </summary>
    private static IReadOnlyList<string> CheckArguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            var equals = token.IndexOf('=');
            var name = equals < 0 ? token : token[..equals];
            var known = SiloCommandLine.SwitchMappings.ContainsKey(name) || (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':'));
            if (!known)
            {
                throw name.StartsWith('-')
                    ? new UsageException($"{name}: unknown option for 'grainpool silo'; see 'grainpool silo --help'")
                    : new UsageException($"'{token}' is not an argument of 'grainpool silo'; see 'grainpool silo --help'");
            }

            if (equals < 0)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"{name}: missing value");
                }

                i++;
            }
        }

        return args;
    }

    /// <summary>
    /// The silo arguments of a parsed <c>grainpool silo ...</c> line (<paramref name="args"/> after the word <c>silo</c>):
    /// the silo's own flags were checked by the command line, the rest are checked here as configuration keys.
    /// </summary>
    public static IReadOnlyList<string> Arguments(ParseResult parse, IReadOnlyList<string> args)
    {
        CheckArguments(parse.UnmatchedTokens);
        return [.. args.SkipWhile(a => a != Definition.Name).Skip(1)];
    }

    private static DetailedCommand CreateDefinition()
    {
        var command = new DetailedCommand(
            "silo",
            "Run a GrainPool silo in the foreground (for --cluster; Ctrl+C stops it)",
            "Runs one GrainPool silo in this terminal until Ctrl+C or SIGTERM, then stops it gracefully. It prints\n" +
            "'grainpool-silo ready ... gateway=P ...' on standard output once it is active, and logs on standard error.\n" +
            "The first silo is the primary; more silos join it with --primary-port. Jobs reach the silos with\n" +
            "'grainpool --cluster 127.0.0.1:<gateway port>,... <command>'. With --clustering redis --redis H:P the\n" +
            "membership lives in Redis: no primary, silos start in any order, each on its own --listen-address, and jobs\n" +
            "find them with 'grainpool --clustering redis --redis H:P <command>'. The options are those of silo/GrainPool.Silo;\n" +
            $"any silo setting may also be given by its configuration key, {ConfigurationKeyFlag} V\n" +
            "(e.g. --GrainPool:Silo:SliceTargetMs 20). It takes no global options.",
            [
                "silo --silo-port 11111 --gateway-port 30000 --cores 1",
                "silo --silo-port 11112 --gateway-port 30001 --http-port 8081 --primary-port 11111 --cores 1",
                "--cluster 127.0.0.1:30000,127.0.0.1:30001 primes count --to 1e10",
                "silo --clustering redis --redis 127.0.0.1:6379 --listen-address 127.0.0.2 --cores 1",
            ],
            numbers: false)
        {
            // Configuration keys (--GrainPool:Silo:Key V) are left over by the parser and checked by CheckArguments.
            TreatUnmatchedTokensAsErrors = false,
        };
        foreach (var flag in SiloCommandLine.SwitchMappings.Keys.Order(StringComparer.Ordinal))
        {
            var (value, description) = Descriptions.TryGetValue(flag, out var d) ? d : ("V", "See silo/GrainPool.Silo/README.md");
            command.Add(CliOptions.Text(flag, value, description));
        }

        return command;
    }

    /// <summary>
    /// Runs the silo until <paramref name="cancellationToken"/> is cancelled (Ctrl+C) or SIGTERM; returns the exit code.
    /// The same code path as silo/GrainPool.Silo's Program; only a bad setting is told the grainpool way, as one error
    /// line with every failure (exit code 2), where the silo writes a line per failure.
    /// </summary>
    public static Task<int> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        GrainPoolSiloHost.RunAsync(
            [.. arguments],
            configureSilo: null,
            onInvalidConfiguration: ex => throw new UsageException("silo: invalid configuration: " + string.Join(" ", ex.Failures)),
            cancellationToken);
}
