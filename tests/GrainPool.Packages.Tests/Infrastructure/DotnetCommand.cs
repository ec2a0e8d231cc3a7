using System.Diagnostics;
using System.Text;

namespace GrainPool.Packages.Tests.Infrastructure;

/// <summary>What one command printed and how it ended.</summary>
public sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Checks exit code 0 (the message shows the command and both streams) and returns standard output.</summary>
    public string Succeeded()
    {
        Assert.True(ExitCode == 0, $"'{Command}' exited with {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}");
        return Stdout;
    }
}

/// <summary>
/// Runs the dotnet command line (or a program) as a user would, with a deadline, its output captured, and none of the
/// MSBuild variables that `dotnet test` leaves in this process's environment (they would point a user's build at this
/// repository's MSBuild instance). Build servers are off, so nothing outlives the command.
/// </summary>
internal static class DotnetCommand
{
    private static readonly string[] InheritedBuildVariables =
        ["MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "MSBUILDNOINPROCNODE"];

    /// <summary>The dotnet host running these tests, else the one on PATH.</summary>
    public static string Host { get; } =
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>Runs <c>dotnet args</c> in <paramref name="workingDirectory"/>.</summary>
    public static Task<CommandResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan deadline, params string[] args) =>
        RunProgramAsync(Host, workingDirectory, environment, deadline, args);

    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    public static async Task<CommandResult> RunProgramAsync(
        string program, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan deadline, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in InheritedBuildVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var command = $"{Path.GetFileName(program)} {string.Join(' ', args)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{command}' did not start");
        process.StandardInput.Close();
        var (exitCode, stdout, stderr) = await ProcessRun.ToEndAsync(process, deadline, command);
        return new CommandResult(command, exitCode, stdout, stderr);
    }
}
