using System.Diagnostics;
using System.Text;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// Runs the built grainpool program as a real process: <c>dotnet GrainPool.Cli.dll args...</c> from this test assembly's
/// output folder (the project reference copies the program there), with its output captured and a deadline.
/// </summary>
internal static class CliProcess
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>The program under test.</summary>
    public static string ProgramPath { get; } = Path.Combine(AppContext.BaseDirectory, "GrainPool.Cli.dll");

    /// <summary>The dotnet host that runs it: the one running these tests when it is dotnet, else the one on PATH.</summary>
    public static string DotnetHost { get; } = FindDotnetHost();

    /// <summary>Runs grainpool with <paramref name="args"/> to completion.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs grainpool with <paramref name="args"/> and more <paramref name="environment"/> variables to completion.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var (exitCode, stdout, stderr) = await ProcessRun.ToEndAsync(process, Deadline, "grainpool " + string.Join(' ', args));
        return new CliResult(args, exitCode, stdout, stderr);
    }

    /// <summary>
    /// Runs grainpool with <paramref name="args"/> to completion, recording the silo processes it starts as its children
    /// while it runs (Linux; elsewhere none are recorded). Returns the run and the silos seen (pid to command line).
    /// </summary>
    public static async Task<(CliResult Result, IReadOnlyDictionary<int, string> Silos)> RunWatchingSilosAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var silos = new Dictionary<int, string>();
        var clock = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            if (SiloProcesses.Supported)
            {
                foreach (var (pid, command) in SiloProcesses.ChildrenOf(process.Id))
                {
                    silos[pid] = command;
                }
            }

            if (clock.Elapsed > Deadline)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"grainpool {string.Join(' ', args)} did not finish within {Deadline.TotalSeconds} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        await process.WaitForExitAsync();
        return (new CliResult(args, process.ExitCode, await stdout, await stderr), silos);
    }

    /// <summary>Sends <paramref name="signal"/> (<c>INT</c> for Ctrl+C, <c>TERM</c>) to process <paramref name="pid"/> with kill(1).</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync();
    }

    /// <summary>
    /// Kills <paramref name="process"/> and its children if it is still running: the <c>finally</c> of a test whose job
    /// has hours of work, so that a failed assertion does not leave it running.
    /// </summary>
    public static void KillIfRunning(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Ctrl+C: the command must end with exit code 130 (cancelled).</summary>
    public static async Task InterruptAsync(Process process)
    {
        await SignalAsync(process.Id, "INT");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            KillIfRunning(process);
        }

        Assert.Equal(130, process.ExitCode);
    }

    /// <summary>Starts grainpool with <paramref name="args"/>, output redirected, standard input closed.</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts grainpool with <paramref name="args"/> and its standard input open, for the test to type into.</summary>
    public static Process StartWithInput(params string[] args) => Start(new Dictionary<string, string>(), args, keepInput: true);

    /// <summary>Starts grainpool with <paramref name="args"/> and these environment variables added.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(environment, args, keepInput: false);

    private static Process Start(IReadOnlyDictionary<string, string> environment, string[] args, bool keepInput)
    {
        Assert.True(File.Exists(ProgramPath), $"The program under test is missing: {ProgramPath}");
        var start = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(ProgramPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        if (!keepInput)
        {
            process.StandardInput.Close();
        }

        return process;
    }

    private static string FindDotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return "dotnet";
    }
}
