using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GrainPool.Hosting.Launching;

/// <summary>
/// Starts processes pinned to a CPU set. On Linux an affinity set on a running process reaches only its main thread
/// (sched_setaffinity acts on one thread), while the runtime has already started its GC and worker threads; so the
/// child is instead forked from a thread that is pinned for the moment of the fork, and every thread it ever creates
/// inherits the set. On Windows <see cref="Process.ProcessorAffinity"/> covers the whole process and is set after start.
/// </summary>
public static class CpuAffinity
{
    private static readonly Lock StartLock = new();

    /// <summary>Whether processes can be pinned on this OS.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsWindows();

    /// <summary>
    /// CPUs this process may run on, at most <see cref="Environment.ProcessorCount"/> of them (a CPU quota lowers the
    /// processor count below the affinity set; pinning to that many CPUs gives the same capacity).
    /// </summary>
    public static IReadOnlyList<int> AvailableCpus()
    {
        IEnumerable<int> cpus = Enumerable.Range(0, Environment.ProcessorCount);
        if (OperatingSystem.IsLinux())
        {
            cpus = Bits(GetCurrentThreadMask());
        }
        else if (OperatingSystem.IsWindows())
        {
            cpus = Bits([(ulong)Process.GetCurrentProcess().ProcessorAffinity.ToInt64()]);
        }

        return [.. cpus.Take(Environment.ProcessorCount)];
    }

    /// <summary>Starts <paramref name="startInfo"/>; pins the new process to <paramref name="cpus"/> when given.</summary>
    public static Process Start(ProcessStartInfo startInfo, IReadOnlyList<int>? cpus)
    {
        if (cpus is null || cpus.Count == 0)
        {
            return Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        }

        Process process;
        if (OperatingSystem.IsLinux())
        {
            // One launch at a time: the pinned window must not overlap another launch on this thread's mask.
            lock (StartLock)
            {
                var saved = GetCurrentThreadMask();
                SetCurrentThreadMask(Mask(cpus));
                try
                {
                    process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
                }
                finally
                {
                    SetCurrentThreadMask(saved);
                }
            }
        }
        else
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        }

        // Also the documented API: on Windows this is what pins the process; on Linux it re-pins the main thread.
        if (cpus.Max() < IntPtr.Size * 8 && (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()))
        {
            process.ProcessorAffinity = (nint)(long)Mask(cpus)[0];
        }

        return process;
    }

    private static ulong[] Mask(IReadOnlyList<int> cpus)
    {
        var mask = new ulong[NativeMethods.CpuSetWords];
        foreach (var cpu in cpus)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(cpu);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, mask.Length * 64);
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }

        return mask;
    }

    private static IEnumerable<int> Bits(ulong[] mask)
    {
        for (var cpu = 0; cpu < mask.Length * 64; cpu++)
        {
            if ((mask[cpu / 64] & (1UL << (cpu % 64))) != 0)
            {
                yield return cpu;
            }
        }
    }

    private static unsafe ulong[] GetCurrentThreadMask()
    {
        var mask = new ulong[NativeMethods.CpuSetWords];
        fixed (ulong* words = mask)
        {
            if (NativeMethods.SchedGetAffinity(0, (nuint)(mask.Length * sizeof(ulong)), words) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "sched_getaffinity failed");
            }
        }

        return mask;
    }

    private static unsafe void SetCurrentThreadMask(ulong[] mask)
    {
        fixed (ulong* words = mask)
        {
            if (NativeMethods.SchedSetAffinity(0, (nuint)(mask.Length * sizeof(ulong)), words) != 0)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "sched_setaffinity failed");
            }
        }
    }
}
