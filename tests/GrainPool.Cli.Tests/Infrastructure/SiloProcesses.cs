using System.Diagnostics;
using System.Globalization;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// What Linux's /proc says about the silo processes a grainpool process starts: its children running
/// GrainPool.Silo.dll, whether a process still exists, and the gateway connections it holds. Other processes on the
/// machine (other test runs' silos) are never counted: only children of the given process.
/// </summary>
internal static class SiloProcesses
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Whether these checks can run here.</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Child processes of <paramref name="parentPid"/> whose command line runs GrainPool.Silo.dll, with their command lines.</summary>
    public static IReadOnlyDictionary<int, string> ChildrenOf(int parentPid) => ChildrenRunning(parentPid, "GrainPool.Silo.dll");

    /// <summary>Child processes of <paramref name="parentPid"/> whose command line contains <paramref name="fragment"/>, with their command lines.</summary>
    public static IReadOnlyDictionary<int, string> ChildrenRunning(int parentPid, string fragment)
    {
        var children = new Dictionary<int, string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ParentOf(pid) == parentPid && CommandLine(pid) is { } command && command.Contains(fragment, StringComparison.Ordinal))
            {
                children[pid] = command;
            }
        }

        return children;
    }

    /// <summary>
    /// The CPU sets (<c>Cpus_allowed_list</c>) of every thread of <paramref name="pid"/>, with their thread count:
    /// pinning must reach the runtime's threads too, not just the main one. Empty when the process has gone.
    /// </summary>
    public static (IReadOnlySet<string> CpuSets, int Threads) CpuSetsOfThreads(int pid)
    {
        var sets = new HashSet<string>(StringComparer.Ordinal);
        var threads = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    var line = File.ReadLines(Path.Combine(task, "status")).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
                    if (line is not null)
                    {
                        sets.Add(line["Cpus_allowed_list:".Length..].Trim());
                        threads++;
                    }
                }
                catch (IOException)
                {
                    // The thread ended while being read.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The process ended.
        }

        return (sets, threads);
    }

    /// <summary>True while <paramref name="pid"/> is a process running <paramref name="commandLine"/> (a reused pid does not count).</summary>
    public static bool IsRunning(int pid, string commandLine) => CommandLine(pid) == commandLine && !IsZombie(pid);

    /// <summary>The value after <paramref name="flag"/> in a silo's command line.</summary>
    public static int FlagValue(string commandLine, string flag)
    {
        var parts = commandLine.Split(' ');
        return int.Parse(parts[Array.IndexOf(parts, flag) + 1], CultureInfo.InvariantCulture);
    }

    /// <summary>Waits (polling /proc, with a deadline) until <paramref name="condition"/> holds; fails with <paramref name="what"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > within)
            {
                Assert.Fail($"Not true within {within.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Whether some process on this machine has an established TCP connection to local port <paramref name="port"/>.</summary>
    public static bool HasEstablishedConnectionTo(int port)
    {
        var hex = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st ...: the remote end is the gateway, state 01 is ESTABLISHED.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[2].EndsWith(hex, StringComparison.Ordinal) && fields[3] == "01")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null; // gone, or not ours to read
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string? CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Length == 0 ? null : raw.TrimEnd('\0').Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
