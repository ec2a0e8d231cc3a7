using System.CommandLine;
using System.Globalization;
using GrainPool.Abstractions;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Hosting.Launching;

namespace GrainPool.Cli.Commands;

/// <summary>
/// <c>grainpool stack</c>: the whole local observability stack in one command. Starts N silo processes (each pinned
/// to its share of the CPUs, each serving <c>/metrics</c>, <c>/healthz</c> and the Orleans Dashboard) and, when the
/// <c>prometheus</c> program is installed, a real Prometheus with the project's configuration
/// (<c>dashboards/prometheus/prometheus.yml</c>, its recording and alert rules) scraping them. Prints every URL and
/// the command line that sends jobs to the cluster, then runs until Ctrl+C or SIGTERM and stops it all.
/// </summary>
internal static class StackCommand
{
    /// <summary>The last line printed once everything is up.</summary>
    public const string ReadyLine = "grainpool stack ready";

    private const int MaxSilos = GlobalOptions.MaxSilos;

    private static readonly Option<ulong> Silos = CliOptions.Number("--silos", "N", $"Silo processes, 1 to {MaxSilos} (default 2)");
    private static readonly Option<string> ClusterId = CliOptions.Text("--cluster-id", "ID", "Orleans cluster id, the 'cluster' label of every series (default grainpool-stack)");
    private static readonly Option<ulong> PrometheusPort = CliOptions.Number("--prometheus-port", "P", "Prometheus' port on 127.0.0.1 (default 9090; 0 picks a free port)");
    private static readonly Option<ulong> ScrapeInterval = CliOptions.Number("--scrape-interval", "S", "Seconds between scrapes and rule evaluations, 1 to 15 (default 5; the rules' rates span 1 minute)");
    private static readonly Option<string> PrometheusConfig = CliOptions.Text("--prometheus-config", "FILE", $"The configuration to start from (default: {LocalPrometheus.ProjectConfigRelativePath}, found upwards from here)");
    private static readonly Option<bool> NoPrometheus = CliOptions.Flag("--no-prometheus", "Start the silos only");

    private static readonly Option<string> Redis = CliOptions.Text(
        "--redis", "H:P", "Silos on Redis membership in this Redis server, each on its own loopback address (127.0.0.2, ...); default: localhost clustering");

    /// <summary>The command as the command line and help see it.</summary>
    public static DetailedCommand Definition { get; } = new(
        "stack",
        "Run silos and a Prometheus scraping them, print the URLs (Ctrl+C stops it all)",
        "Starts N silo processes on this machine (each pinned to its share of the CPUs) and a Prometheus server (the\n" +
        "'prometheus' program, e.g. Debian's package) that scrapes their /metrics with dashboards/prometheus/prometheus.yml\n" +
        "and its recording and alert rules. Prints the silos' metrics, health and Orleans Dashboard URLs, Prometheus'\n" +
        "URL, and the 'grainpool --cluster ...' line that sends jobs to the cluster, then '" + ReadyLine + "'.\n" +
        "Runs until Ctrl+C or SIGTERM, then stops Prometheus and the silos. Without prometheus on PATH it says so and\n" +
        "runs the silos alone. The Grafana dashboards in dashboards/grafana read from that Prometheus. It takes no global options.",
        [
            "stack",
            "stack --silos 3 --prometheus-port 9091 --scrape-interval 1",
        ],
        numbers: true)
    {
        Silos, ClusterId, PrometheusPort, ScrapeInterval, PrometheusConfig, NoPrometheus, Redis,
    };

    /// <summary>Reads the parsed options; every mistake names the option and its value.</summary>
    public static StackOptions Parse(ParseResult parse)
    {
        var options = new StackOptions { Prometheus = !parse.GetValue(NoPrometheus) };
        if (parse.GetValue(Redis) is { } redis)
        {
            options = options with
            {
                Redis = ClusterMembership.CheckRedisConnectionString(redis) is { } problem
                    ? throw UsageException.ForValue(Redis.Name, ClusterMembership.Redacted(redis), problem)
                    : redis,
            };
        }

        if (parse.Given(Silos))
        {
            options = options with { Silos = (int)Ranged(parse, Silos, 1, MaxSilos) };
        }

        if (parse.GetValue(ClusterId) is { } clusterId)
        {
            options = options with
            {
                ClusterId = string.IsNullOrWhiteSpace(clusterId) || clusterId.Any(char.IsWhiteSpace)
                    ? throw UsageException.ForValue(ClusterId.Name, clusterId, "must be a non-empty id without spaces")
                    : clusterId,
            };
        }

        if (parse.Given(PrometheusPort))
        {
            options = options with { PrometheusPort = (int)Ranged(parse, PrometheusPort, 0, 65535) };
        }

        if (parse.Given(ScrapeInterval))
        {
            options = options with { ScrapeInterval = TimeSpan.FromSeconds(Ranged(parse, ScrapeInterval, 1, 15)) };
        }

        if (parse.GetValue(PrometheusConfig) is { } config)
        {
            options = options with
            {
                PrometheusConfig = File.Exists(config) ? Path.GetFullPath(config) : throw UsageException.ForValue(PrometheusConfig.Name, config, "is not a file"),
            };
        }

        return options;
    }

    /// <summary>What a person types (a line) to start one more silo while the stack runs.</summary>
    public const string AddCommand = "add";

    /// <summary>What a person types to stop the silo added last.</summary>
    public const string RemoveCommand = "remove";

    /// <summary>
    /// Runs the stack until <paramref name="cancellationToken"/> is cancelled; returns the exit code. Lines read from
    /// <paramref name="input"/> add a silo (<see cref="AddCommand"/>) or stop the one added last (<see cref="RemoveCommand"/>),
    /// and Prometheus' targets follow, so the dashboards show the cluster grow and shrink.
    /// </summary>
    public static async Task<int> RunAsync(StackOptions options, TextWriter output, TextReader? input, CancellationToken cancellationToken)
    {
        var config = options.PrometheusConfig ?? LocalPrometheus.FindProjectConfig();
        var prometheusProgram = LocalPrometheus.FindExecutable();
        if (options.Prometheus && config is null)
        {
            throw new CliFailureException($"cannot find {LocalPrometheus.ProjectConfigRelativePath} above {Directory.GetCurrentDirectory()}: run from the repository or pass --prometheus-config FILE (or --no-prometheus)");
        }

        await using var cluster = await StartSilosAsync(options, cancellationToken);
        PrometheusTarget[] Targets() => [.. cluster.Silos.Select(s => new PrometheusTarget(s.HttpUrl.Authority, cluster.ClusterId, s.Name))];
        var targets = Targets();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster {cluster.ClusterId}: {cluster.Silos.Count} silos, {cluster.TotalCores} cores"));
        void Describe(LocalSiloProcess silo, string suffix = "")
        {
            var http = silo.HttpUrl.ToString().TrimEnd('/');
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"silo {silo.Name}: gateway {silo.ListenAddress}:{silo.GatewayPort}, {silo.Cores} cores, metrics {http}/metrics, health {http}/healthz, dashboard {http}/dashboard/{suffix}"));
        }

        foreach (var silo in cluster.Silos)
        {
            Describe(silo);
        }

        LocalPrometheus? prometheus = null;
        try
        {
            if (options.Prometheus && prometheusProgram is not null)
            {
                prometheus = await LocalPrometheus.StartAsync(config!, targets, options.PrometheusPort, options.ScrapeInterval, cancellationToken: cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"prometheus {prometheus.Url.ToString().TrimEnd('/')}: scraping every {options.ScrapeInterval.TotalSeconds:0} s with {prometheus.ConfigPath} (from {config})"));
            }
            else if (options.Prometheus)
            {
                output.WriteLine("prometheus: not installed (no 'prometheus' on PATH; Debian: apt-get install -y prometheus), so the silos run without it");
            }

            var gateways = string.Join(",", cluster.GatewayPorts.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));
            output.WriteLine(options.Redis is { } redis
                ? $"jobs: grainpool --clustering redis --redis {ClusterMembership.Redacted(redis)} --cluster-id {cluster.ClusterId} primes count --to 1e11"
                : $"jobs: grainpool --cluster {gateways} --cluster-id {cluster.ClusterId} primes count --to 1e11");
            output.WriteLine("grafana: provision dashboards/grafana (see dashboards/README.md) with its data source pointing at the Prometheus above");
            output.WriteLine($"type '{AddCommand}' to start one more silo, '{RemoveCommand}' to stop the one added last");
            output.WriteLine(ReadyLine);
            output.Flush();
            // Lines typed while it runs change the cluster, read on a task of their own: a console read does not end
            // when Ctrl+C or SIGTERM comes, and the stack must stop then.
            var changes = input is null ? Task.CompletedTask : Task.Run(async () =>
            {
                while (!cancellationToken.IsCancellationRequested && await input.ReadLineAsync(CancellationToken.None) is { } line)
                {
                    try
                    {
                        await ChangeAsync(line.Trim());
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        output.WriteLine($"stack: {line.Trim()} failed: {ex.Message}");
                        output.Flush();
                    }
                }
            }, CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop everything below, once a change under way has ended (it sees the same token).
                await Task.WhenAny(changes, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
            }

            async Task ChangeAsync(string line)
            {
                switch (line)
                {
                    case AddCommand:
                        Describe(await cluster.AddSiloAsync(cancellationToken), " (added)");
                        break;
                    case RemoveCommand when await cluster.RemoveSiloAsync() is { } removed:
                        output.WriteLine($"silo {removed.Name}: stopped");
                        break;
                    case RemoveCommand:
                        output.WriteLine("stack: the first silo stays; Ctrl+C stops it all");
                        break;
                    case "":
                        return;
                    default:
                        output.WriteLine($"stack: type '{AddCommand}' or '{RemoveCommand}' (got {UsageException.Quote(line)})");
                        break;
                }

                if (prometheus is not null)
                {
                    LocalPrometheus.WriteTargets(prometheus.RunDirectory, Targets());
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster {cluster.ClusterId}: {cluster.Silos.Count} silos, {cluster.TotalCores} cores"));
                output.Flush();
            }

            output.WriteLine("grainpool stack stopping");
            output.Flush();
            return ExitCodes.Success;
        }
        finally
        {
            if (prometheus is not null)
            {
                await prometheus.DisposeAsync();
            }
        }
    }

    private static async Task<LocalSiloCluster> StartSilosAsync(StackOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await LocalSiloCluster.StartAsync(
                new LocalSiloClusterOptions { SiloCount = options.Silos, PinToCpus = true, ClusterId = options.ClusterId, Redis = options.Redis },
                cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException or IOException)
        {
            throw new CliFailureException($"could not start {options.Silos} silo processes: {ex.Message}", ex);
        }
    }

    private static ulong Ranged(ParseResult parse, Option<ulong> option, ulong min, ulong max)
    {
        var number = parse.GetValue(option);
        return number >= min && number <= max
            ? number
            : throw UsageException.ForValue(option.Name, parse.Typed(option)!, $"must be from {min} to {max}");
    }
}

/// <summary>What <c>grainpool stack</c> starts.</summary>
internal sealed record StackOptions
{
    public int Silos { get; init; } = 2;

    public string ClusterId { get; init; } = "grainpool-stack";

    public int PrometheusPort { get; init; } = 9090;

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string? PrometheusConfig { get; init; }

    public bool Prometheus { get; init; } = true;

    public string? Redis { get; init; }
}
