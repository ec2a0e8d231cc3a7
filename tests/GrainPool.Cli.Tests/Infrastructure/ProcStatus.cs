using System.Globalization;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>A process's resident memory and thread count, from Linux's <c>/proc/PID/status</c>.</summary>
internal static class ProcStatus
{
    /// <summary>Resident memory (VmRSS) in MB.</summary>
    public static double RssMegabytes(int pid) => Value(pid, "VmRSS:") / 1024.0;

    /// <summary>Threads of the process.</summary>
    public static int Threads(int pid) => (int)Value(pid, "Threads:");

    /// <summary>
    /// Resident memory (MB) of the runtime's mapping for generated code: with W^X (the .NET default) the JIT's code and
    /// stubs live in the <c>/memfd:doublemapper</c> mappings, so this is what the process holds for compiled code.
    /// </summary>
    public static double CodeMegabytes(int pid)
    {
        long kb = 0;
        var code = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            // A mapping's header starts with its address range ("7f..-7f.. r-xp ... /memfd:doublemapper"); its fields follow.
            var first = line.Split(' ', 2)[0];
            if (first.Contains('-', StringComparison.Ordinal) && !first.EndsWith(':'))
            {
                code = line.Contains("/memfd:doublemapper", StringComparison.Ordinal);
            }
            else if (code && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                kb += long.Parse(line["Rss:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return kb / 1024.0;
    }

    private static long Value(int pid, string key) =>
        long.Parse(
            File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture);
}
