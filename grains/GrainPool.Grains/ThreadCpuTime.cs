using System.Runtime.InteropServices;

namespace GrainPool.Grains;

/// <summary>
/// CPU time of the calling thread. A kernel slice runs synchronously on one thread, so the difference of two readings
/// around it is the CPU the kernel really got: unlike wall time it does not count the time the thread waited while the
/// OS ran something else on its core (another process, the silo's own networking). Linux reads
/// <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>; elsewhere, and if that call fails, it falls back to wall time.
/// </summary>
internal static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    private static readonly bool Supported = OperatingSystem.IsLinux() && TryRead(out _);

    /// <summary>True when readings are thread CPU time (Linux); false when they are wall time.</summary>
    public static bool IsCpuTime => Supported;

    /// <summary>The thread's CPU time so far (or a wall-clock reading where that is not available).</summary>
    public static TimeSpan Now() =>
        Supported && TryRead(out var cpu) ? cpu : TimeSpan.FromTicks(System.Diagnostics.Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);

    private static bool TryRead(out TimeSpan time)
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var spec) != 0)
        {
            time = default;
            return false;
        }

        time = TimeSpan.FromTicks((spec.Seconds * TimeSpan.TicksPerSecond) + (spec.Nanoseconds / 100));
        return true;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
