using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace GrainPool.Hosting.Launching;

/// <summary>
/// One GrainPool silo running as a separate <c>dotnet GrainPool.Silo.dll</c> process on a loopback address: started and awaited
/// until it prints its ready line, stopped with SIGTERM (a graceful leave), killed only after a deadline.
/// </summary>
public sealed class LocalSiloProcess : IAsyncDisposable
{
    private const int StandardErrorTailLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _standardErrorTail = new();
    private readonly TaskCompletionSource<SiloReadyLine> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stopLock = new();
    private Task<int>? _stopping;

    private LocalSiloProcess(Process process, LocalSiloStartInfo startInfo)
    {
        _process = process;
        StartInfo = startInfo;
    }

    /// <summary>GrainPool.Silo.dll next to the running program (a project that references the silo project gets it there).</summary>
    public static string DefaultSiloAssemblyPath => Path.Combine(AppContext.BaseDirectory, "GrainPool.Silo.dll");

    /// <summary>What this process was started with.</summary>
    public LocalSiloStartInfo StartInfo { get; }

    /// <summary>Silo name.</summary>
    public string Name => StartInfo.Name;

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort => StartInfo.SiloPort;

    /// <summary>Gateway port clients connect to.</summary>
    public int GatewayPort => StartInfo.GatewayPort;

    /// <summary>Advertised cores (worker slots).</summary>
    public int Cores => StartInfo.Cores;

    /// <summary>CPUs the process is pinned to, or null when it runs unpinned.</summary>
    public IReadOnlyList<int>? CpuSet => StartInfo.CpuSet;

    /// <summary>Address the silo listens on (and advertises with Redis membership).</summary>
    public string ListenAddress => StartInfo.ListenAddress;

    /// <summary>Whether this silo is the primary (hosts the development membership table); never with Redis membership.</summary>
    public bool IsPrimary => StartInfo.Redis is null && (StartInfo.PrimarySiloPort ?? StartInfo.SiloPort) == StartInfo.SiloPort;

    /// <summary>Base URL of the silo's HTTP endpoint (<c>/healthz</c>), from its ready line.</summary>
    public Uri HttpUrl => Ready.HttpUrl;

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the silo wrote to standard error (its log).</summary>
    public string StandardErrorTail
    {
        get
        {
            lock (_standardErrorTail)
            {
                return string.Join(Environment.NewLine, _standardErrorTail);
            }
        }
    }

    private SiloReadyLine Ready => _ready.Task.IsCompletedSuccessfully
        ? _ready.Task.Result
        : throw new InvalidOperationException($"Silo {Name} is not ready.");

    /// <summary>
    /// Starts the silo process and waits for its ready line (it is then Active in the cluster and its HTTP endpoint
    /// listens). Throws <see cref="InvalidOperationException"/> with the tail of its standard error if it exits first
    /// or misses <see cref="LocalSiloStartInfo.ReadyTimeout"/>; the process is killed then.
    /// </summary>
    public static async Task<LocalSiloProcess> StartAsync(LocalSiloStartInfo startInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        var assembly = startInfo.SiloAssemblyPath ?? DefaultSiloAssemblyPath;
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException(
                $"The silo assembly is missing: {assembly}. Reference silo/GrainPool.Silo from the launching project, or set {nameof(LocalSiloStartInfo.SiloAssemblyPath)}.",
                assembly);
        }

        // Standard input is redirected (and never written) so silos never read from the launcher's terminal.
        var processStart = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(assembly))!,
        };
        foreach (var argument in Arguments(startInfo, Path.GetFullPath(assembly)))
        {
            processStart.ArgumentList.Add(argument);
        }

        var silo = new LocalSiloProcess(CpuAffinity.Start(processStart, startInfo.CpuSet), startInfo);
        silo.BeginReading();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(startInfo.ReadyTimeout);
            var exited = silo._process.WaitForExitAsync(deadline.Token);
            var first = await Task.WhenAny(silo._ready.Task, exited);
            if (first == silo._ready.Task)
            {
                return silo;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (exited.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException(
                    $"Silo {startInfo.Name} exited with code {silo._process.ExitCode} before it was ready. {silo.LogTail()}");
            }

            throw new InvalidOperationException(
                $"Silo {startInfo.Name} did not report ready within {startInfo.ReadyTimeout.TotalSeconds:0.#} s and was killed. {silo.LogTail()}");
        }
        catch
        {
            await silo.KillAsync();
            silo._process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stops the silo: SIGTERM (it finishes chunks in flight and leaves the cluster), then a kill if it is still running
    /// after <paramref name="timeout"/> (default 40 s, above the silo's own 30 s shutdown timeout). Returns the exit code.
    /// On Windows, which has no SIGTERM, the process is killed at once.
    /// </summary>
    public Task<int> StopAsync(TimeSpan? timeout = null)
    {
        lock (_stopLock)
        {
            return _stopping ??= StopCoreAsync(timeout ?? TimeSpan.FromSeconds(40));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} (pid {_process.Id}, silo {ListenAddress}:{SiloPort}, gateway {GatewayPort}, cores {Cores}, cpus {(CpuSet is null ? "any" : string.Join(',', CpuSet))})");

    private static IEnumerable<string> Arguments(LocalSiloStartInfo s, string assembly)
    {
        string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
        return
        [
            assembly,
            "--silo-port", Text(s.SiloPort),
            "--gateway-port", Text(s.GatewayPort),
            "--http-port", Text(s.HttpPort),
            "--listen-address", s.ListenAddress,
            .. s.PrimarySiloPort is { } primary ? (string[])["--primary-port", Text(primary)] : [],
            .. s.Redis is { } redis ? (string[])["--clustering", GrainPoolSiloOptions.RedisClustering, "--redis", redis] : [],
            "--cores", Text(s.Cores),
            "--name", s.Name,
            "--cluster-id", s.ClusterId,
            "--service-id", s.ServiceId,
            "--parent-pid", Text(Environment.ProcessId),
            .. s.JoinLockFile is null ? [] : (string[])["--join-lock", s.JoinLockFile],
            .. s.AdditionalArguments,
        ];
    }

    // The dotnet host running this process, so the silo runs on the same runtime even when this is an apphost.
    private static string DotnetHost()
    {
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && string.Equals(Path.GetFileName(self), exe, StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        // shared/Microsoft.NETCore.App/<version>/ sits three levels below the dotnet root.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }

    private string LogTail() => StandardErrorTail is { Length: > 0 } tail
        ? "Its last log lines:" + Environment.NewLine + tail
        : "It wrote no log lines.";

    private void BeginReading()
    {
        _process.OutputDataReceived += (_, e) =>
        {
            if (SiloReadyLine.TryParse(e.Data, out var ready))
            {
                _ready.TrySetResult(ready!);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_standardErrorTail)
            {
                _standardErrorTail.Enqueue(e.Data);
                if (_standardErrorTail.Count > StandardErrorTailLines)
                {
                    _standardErrorTail.Dequeue();
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private async Task<int> StopCoreAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            if (OperatingSystem.IsWindows() || NativeMethods.Kill(_process.Id, NativeMethods.SigTerm) != 0)
            {
                await KillAsync();
            }

            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    private async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited already.
        }

        await _process.WaitForExitAsync();
    }
}
