using System.Runtime.InteropServices;

namespace GrainPool.Tests.Shared;

/// <summary>
/// A fact that needs Linux (it reads /proc, sends POSIX signals or sets CPU affinity): reported as skipped, with the
/// reason, on any other system, never as passed without running.
/// </summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = $"needs Linux (/proc, POSIX signals, CPU affinity); this is {RuntimeInformation.OSDescription}";
        }
    }
}

/// <summary>
/// A fact that needs at least <see cref="Cpus"/> CPUs (for example a silo pinned to each of two CPUs): reported as
/// skipped, with the reason, on a smaller machine. Implies Linux, where GrainPool pins silos.
/// </summary>
public sealed class MultiCpuLinuxFactAttribute : FactAttribute
{
    public MultiCpuLinuxFactAttribute(int cpus = 2)
    {
        Cpus = cpus;
        if (!OperatingSystem.IsLinux())
        {
            Skip = $"needs Linux (CPU affinity, /proc); this is {RuntimeInformation.OSDescription}";
        }
        else if (Environment.ProcessorCount < cpus)
        {
            Skip = $"needs {cpus} CPUs; this machine lets the process use {Environment.ProcessorCount}";
        }
    }

    /// <summary>CPUs the test needs.</summary>
    public int Cpus { get; }
}
