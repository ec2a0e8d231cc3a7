using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace GrainPool.Hosting.Launching;

/// <summary>A silo that a local Prometheus scrapes: its <c>/metrics</c> address and its target labels.</summary>
/// <param name="HttpAddress">host:port of the silo's HTTP endpoint.</param>
/// <param name="Cluster">The Orleans cluster id (the <c>cluster</c> label).</param>
/// <param name="Silo">The silo's name (the <c>silo</c> label).</param>
public sealed record PrometheusTarget(string HttpAddress, string Cluster, string Silo);

/// <summary>
/// A real Prometheus server (the <c>prometheus</c> program, e.g. Debian's package) started on loopback with the
/// project's configuration, <c>dashboards/prometheus/prometheus.yml</c>, and its rule files. The configuration is used
/// as it is, with three things set for this run: the scrape and evaluation interval, the rule files' absolute paths,
/// and the file-based discovery folder, which is a run folder of its own holding the given silos as targets.
/// Disposing stops Prometheus (SIGTERM, then a kill after a deadline).
/// </summary>
public sealed class LocalPrometheus : IAsyncDisposable
{
    /// <summary>The project configuration, relative to the repository root.</summary>
    public const string ProjectConfigRelativePath = "dashboards/prometheus/prometheus.yml";

    /// <summary>The scrape job of the silos in the project configuration.</summary>
    public const string SiloJob = "grainpool-silos";

    /// <summary>The file of targets this launcher writes into the run folder's <c>targets/</c>.</summary>
    public const string TargetsFileName = "grainpool-stack.json";

    private readonly Process _process;
    private readonly Lock _logGate = new();
    private readonly Queue<string> _log = new();

    private readonly bool _ownsRunDirectory;

    private LocalPrometheus(Process process, Uri url, string runDirectory, string configPath, bool ownsRunDirectory)
    {
        _ownsRunDirectory = ownsRunDirectory;
        _process = process;
        Url = url;
        RunDirectory = runDirectory;
        ConfigPath = configPath;
    }

    /// <summary>Prometheus' web address, e.g. <c>http://127.0.0.1:9090/</c>.</summary>
    public Uri Url { get; }

    /// <summary>
    /// The run folder: the configuration used, <c>targets/</c> and the TSDB <c>data/</c>. A folder this launcher made
    /// itself (none given) is deleted when Prometheus stops.
    /// </summary>
    public string RunDirectory { get; }

    /// <summary>The configuration file Prometheus runs with (derived from the project's).</summary>
    public string ConfigPath { get; }

    /// <summary>The last lines Prometheus logged (it logs on standard error).</summary>
    public string LogTail
    {
        get
        {
            lock (_logGate)
            {
                return string.Join(Environment.NewLine, _log);
            }
        }
    }

    /// <summary>The <c>prometheus</c> program on PATH, or null.</summary>
    public static string? FindExecutable() => FindOnPath("prometheus");

    /// <summary>A program on PATH, or null.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// The project's Prometheus configuration, found by walking up from <paramref name="start"/> (default: the current
    /// directory, then this program's folder), or null.
    /// </summary>
    public static string? FindProjectConfig(string? start = null)
    {
        foreach (var origin in start is null ? [Directory.GetCurrentDirectory(), AppContext.BaseDirectory] : new[] { start })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ProjectConfigRelativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The project's configuration text for one run: the global scrape and evaluation intervals set to
    /// <paramref name="interval"/>, rule files and the file-discovery folder made absolute (rules beside the project
    /// configuration, targets in <paramref name="runDirectory"/>), and the silo job's static targets commented out.
    /// </summary>
    public static string DeriveConfig(string projectConfigPath, string runDirectory, TimeSpan interval)
    {
        var projectDir = Path.GetDirectoryName(Path.GetFullPath(projectConfigPath))!;
        var seconds = Math.Max(1, (int)Math.Round(interval.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
        var lines = File.ReadAllLines(projectConfigPath);
        var sawTargets = false;
        var job = string.Empty;
        var skipIndent = -1;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            var indent = line[..(line.Length - trimmed.Length)];
            if (skipIndent >= 0)
            {
                if (trimmed.Length == 0 || trimmed.StartsWith('#') || indent.Length > skipIndent)
                {
                    lines[i] = "#" + line;
                    continue;
                }

                skipIndent = -1;
            }

            if (trimmed.StartsWith("- job_name:", StringComparison.Ordinal))
            {
                job = trimmed["- job_name:".Length..].Trim();
            }
            else if (job == SiloJob && trimmed.StartsWith("static_configs:", StringComparison.Ordinal))
            {
                // The silos of this run are the only silos: a static target of the project's (a silo on the default
                // port) would be down and fire GrainPoolSiloDown.
                lines[i] = "#" + line;
                skipIndent = indent.Length;
                continue;
            }
            if (trimmed.StartsWith("scrape_interval:", StringComparison.Ordinal) || trimmed.StartsWith("evaluation_interval:", StringComparison.Ordinal))
            {
                lines[i] = indent + trimmed[..(trimmed.IndexOf(':') + 1)] + " " + seconds;
            }
            else if (trimmed.StartsWith("- rules/", StringComparison.Ordinal))
            {
                lines[i] = indent + "- " + JsonSerializer.Serialize(Path.Combine(projectDir, trimmed[2..].Trim()));
            }
            else if (trimmed.StartsWith("- files: [\"targets/", StringComparison.Ordinal))
            {
                lines[i] = indent + "- files: [" + JsonSerializer.Serialize(Path.Combine(runDirectory, "targets", "*.json")) + "]";
                sawTargets = true;
            }
        }

        return sawTargets
            ? string.Join('\n', lines) + "\n"
            : throw new InvalidOperationException($"{projectConfigPath} has no '- files: [\"targets/...\"]' line for file-based discovery of the silos.");
    }

    /// <summary>
    /// Starts Prometheus on 127.0.0.1:<paramref name="port"/> (0: a free port) scraping <paramref name="targets"/>
    /// every <paramref name="interval"/>, and returns once it answers <c>/-/ready</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No <c>prometheus</c> program on PATH.</exception>
    public static async Task<LocalPrometheus> StartAsync(
        string projectConfigPath,
        IReadOnlyList<PrometheusTarget> targets,
        int port = 0,
        TimeSpan? interval = null,
        string? runDirectory = null,
        CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable() ?? throw new FileNotFoundException(
            "prometheus is not on PATH: install it (Debian: apt-get install -y prometheus) or start without Prometheus.", "prometheus");
        var ownsRunDirectory = runDirectory is null;
        runDirectory = Path.GetFullPath(runDirectory ?? Path.Combine(Path.GetTempPath(), "grainpool-prometheus-" + Guid.NewGuid().ToString("N")[..8]));
        var config = DeriveConfig(projectConfigPath, runDirectory, interval ?? TimeSpan.FromSeconds(5));
        Directory.CreateDirectory(Path.Combine(runDirectory, "targets"));
        WriteTargets(runDirectory, targets);
        var configPath = Path.Combine(runDirectory, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, config, cancellationToken);
        if (port == 0)
        {
            port = FreeTcpPorts.Pick(1)[0];
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = runDirectory,
        };
        foreach (var argument in new[]
                 {
                     "--config.file=" + configPath,
                     "--storage.tsdb.path=" + Path.Combine(runDirectory, "data"),
                     "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                     "--web.enable-lifecycle",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start.");
        var url = new Uri($"http://127.0.0.1:{port}/");
        var prometheus = new LocalPrometheus(process, url, runDirectory, configPath, ownsRunDirectory);
        process.ErrorDataReceived += (_, e) => prometheus.Keep(e.Data);
        process.OutputDataReceived += (_, e) => prometheus.Keep(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await prometheus.WaitUntilReadyAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return prometheus;
        }
        catch
        {
            await prometheus.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes the targets file Prometheus' file-based discovery reads (re-read within its refresh interval).</summary>
    public static void WriteTargets(string runDirectory, IReadOnlyList<PrometheusTarget> targets)
    {
        var entries = targets.Select(t => new Dictionary<string, object>
        {
            ["targets"] = new[] { t.HttpAddress },
            ["labels"] = new Dictionary<string, string> { ["cluster"] = t.Cluster, ["silo"] = t.Silo },
        });
        var path = Path.Combine(runDirectory, "targets", TargetsFileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(entries, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (OperatingSystem.IsWindows() || NativeMethods.Kill(_process.Id, NativeMethods.SigTerm) != 0)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        _process.Dispose();
        if (_ownsRunDirectory)
        {
            try
            {
                Directory.Delete(RunDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temp folder left behind is harmless.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode} while starting:{Environment.NewLine}{LogTail}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url, "-/ready"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe timed out; try again.
            }

            if (deadline.Elapsed > timeout)
            {
                throw new InvalidOperationException($"prometheus did not become ready at {Url} within {timeout.TotalSeconds:0} s:{Environment.NewLine}{LogTail}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            _log.Enqueue(line);
            while (_log.Count > 40)
            {
                _log.Dequeue();
            }
        }
    }
}
