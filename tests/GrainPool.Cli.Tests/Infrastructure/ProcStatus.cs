using System.Globalization;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>A process's resident memory and thread count, from Linux's <c>/proc/PID/status</c>.</summary>
internal static class ProcStatus
{
    /// <summary>Resident memory (VmRSS) in MB.</summary>
    public static double RssMegabytes(int pid) => Value(pid, "VmRSS:") / 1024.0;

    /// <summary>Threads of the process.</summary>
    public static int Threads(int pid) => (int)Value(pid, "Threads:");

    private static long Value(int pid, string key) =>
        long.Parse(
            File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture);
}
