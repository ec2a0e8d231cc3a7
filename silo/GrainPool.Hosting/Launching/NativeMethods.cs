using System.Runtime.InteropServices;

namespace GrainPool.Hosting.Launching;

/// <summary>The two libc calls .NET has no API for: sending SIGTERM, and a calling thread's CPU affinity.</summary>
internal static unsafe partial class NativeMethods
{
    /// <summary>SIGTERM on Linux and macOS.</summary>
    public const int SigTerm = 15;

    /// <summary>glibc's cpu_set_t: 1024 CPUs.</summary>
    public const int CpuSetWords = 1024 / 64;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    // pid 0 means the calling thread, which is what a child forked from this thread inherits.
    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    public static partial int SchedGetAffinity(int pid, nuint cpuSetSize, ulong* mask);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static partial int SchedSetAffinity(int pid, nuint cpuSetSize, ulong* mask);
}
