using System.Runtime.InteropServices;

namespace GrainPool.Benchmarks.SideBySide;

/// <summary>Describes the machine and the code measured, so a table of figures can be traced back to both.</summary>
internal static class MachineReport
{
    public static async Task PrintAsync(RepoLayout layout)
    {
        var commit = await ProcessRunner.FirstLineAsync("git", "-C", layout.Root, "rev-parse", "--short", "HEAD") ?? "unknown";
        var dirty = await ProcessRunner.FirstLineAsync("git", "-C", layout.Root, "status", "--porcelain") is null ? "" : " (with uncommitted changes)";
        Console.WriteLine("## Machine");
        Console.WriteLine();
        Console.WriteLine($"- date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}");
        Console.WriteLine($"- commit: {commit}{dirty}");
        Console.WriteLine($"- CPU: {await CpuModelAsync()}, {Environment.ProcessorCount} logical cores visible to .NET");
        Console.WriteLine($"- memory: {MemoryText()}");
        Console.WriteLine($"- load average at start (1, 5, 15 min): {LoadAverage()}");
        Console.WriteLine($"- OS: {OsText()}");
        Console.WriteLine($"- .NET: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
        Console.WriteLine($"- primesieve: {await ProcessRunner.FirstLineAsync("primesieve", "--version") ?? "not found"}");
        Console.WriteLine($"- python: {await ProcessRunner.FirstLineAsync("python3", "--version") ?? "not found"}");
        Console.WriteLine();
    }

    /// <summary>The 1, 5 and 15 minute load averages: other work on the machine shows here and in the figures.</summary>
    public static string LoadAverage()
    {
        const string loadavg = "/proc/loadavg";
        return File.Exists(loadavg) ? string.Join(' ', File.ReadAllText(loadavg).Split(' ').Take(3)) : "unknown";
    }

    private static async Task<string> CpuModelAsync()
    {
        var lscpu = await ProcessRunner.FirstLineAsync("sh", "-c", "lscpu | grep -m1 '^Model name:'");
        if (lscpu is not null && lscpu.Contains(':', StringComparison.Ordinal))
        {
            return lscpu[(lscpu.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }

        const string cpuinfo = "/proc/cpuinfo";
        var line = File.Exists(cpuinfo)
            ? File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
            : null;
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static string MemoryText()
    {
        const string meminfo = "/proc/meminfo";
        var line = File.Exists(meminfo) ? File.ReadLines(meminfo).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        var bytes = long.TryParse(kib, out var k) ? k * 1024 : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return $"{bytes / (1024.0 * 1024 * 1024):F1} GiB";
    }

    private static string OsText()
    {
        const string osRelease = "/etc/os-release";
        var pretty = File.Exists(osRelease)
            ? File.ReadLines(osRelease).FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
            : null;
        const string kernelRelease = "/proc/sys/kernel/osrelease";
        var kernel = File.Exists(kernelRelease) ? File.ReadAllText(kernelRelease).Trim() : Environment.OSVersion.VersionString;
        return $"{pretty ?? RuntimeInformation.OSDescription}, kernel {kernel}";
    }
}
