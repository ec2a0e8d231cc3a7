using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace GrainPool.Cluster.Tests.Infrastructure;

/// <summary>
/// A user range kernel as a GrainPool user would write one: the longest Collatz stopping time (steps of n -> n/2 or
/// 3n+1 until 1) of any n in the chunk. Max is associative and commutative, so any chunking gives the same answer.
/// </summary>
internal sealed class CollatzMaxStoppingTimeKernel : IRangeKernel<ulong>
{
    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly RangeKernel<ulong> Handle = new("test/collatz-max", 0, Math.Max, 1UL << 12);

    public string Name => "collatz-max";

    public ulong MinChunkSize => 1UL << 12;

    public ulong Zero => 0;

    public ulong Compute(ulong first, ulong last)
    {
        ulong longest = 0;
        for (var n = first; ; n++)
        {
            longest = Math.Max(longest, StoppingTime(n));
            if (n == last)
            {
                return longest;
            }
        }
    }

    public ulong Combine(ulong left, ulong right) => Math.Max(left, right);

    private static ulong StoppingTime(ulong n)
    {
        ulong steps = 0;
        while (n > 1)
        {
            n = (n & 1) == 0 ? n / 2 : checked((3 * n) + 1);
            steps++;
        }

        return steps;
    }
}

/// <summary>
/// A user item kernel x -> 2x + 1 that rejects one value with <see cref="ArgumentOutOfRangeException"/>: a kernel
/// error on exactly one item of a map.
/// </summary>
internal sealed class RejectOneValueKernel : IItemKernel<long, long>
{
    /// <summary>The value the kernel throws on.</summary>
    public const long RejectedValue = 4242;

    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, long> Handle = new("test/twice-plus-one-rejecting-4242");

    public string Name => "twice-plus-one";

    public long Compute(long item) => item == RejectedValue
        ? throw new ArgumentOutOfRangeException(nameof(item), item, $"The test kernel rejects {RejectedValue}.")
        : checked((2 * item) + 1);

    /// <summary>What the kernel returns for an accepted item, computed here without the kernel.</summary>
    public static long Expected(long item) => (item * 2) + 1;
}

/// <summary>
/// Reports the thread a worker computes on: the managed thread id, negated when that thread belongs to the .NET thread
/// pool. Checks where kernels run (each worker on a dedicated thread of its own), not a computation.
/// </summary>
internal sealed class ThreadIdentityKernel : IItemKernel<long, int>
{
    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, int> Handle = new("test/thread-identity");

    public string Name => "thread-identity";

    public int Compute(long item) =>
        Thread.CurrentThread.IsThreadPoolThread ? -Environment.CurrentManagedThreadId : Environment.CurrentManagedThreadId;
}

/// <summary>
/// A user item kernel x -> 3x with two bugs of the kind real kernels have: it dereferences null for
/// <see cref="NullValue"/> (a <see cref="NullReferenceException"/>) and throws its own exception type for
/// <see cref="OwnErrorValue"/>. Neither is an argument or arithmetic error, and each must still name its item.
/// </summary>
internal sealed class BuggyKernel : IItemKernel<long, long>
{
    public const long NullValue = 777;
    public const long OwnErrorValue = 8_888;

    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, long> Handle = new("test/buggy-triple");

    public string Name => "buggy-triple";

    public long Compute(long item)
    {
        if (item == NullValue)
        {
            string? missing = item > 0 ? null : "never";
            return missing!.Length;
        }

        return item == OwnErrorValue ? throw new BuggyKernelException($"no triple for {item}") : 3 * item;
    }

    /// <summary>What the kernel returns for the other items, computed here without the kernel.</summary>
    public static long Expected(long item) => item * 3;
}

/// <summary>A user kernel's own exception type.</summary>
internal sealed class BuggyKernelException(string message) : Exception(message);

/// <summary>
/// A slow user item kernel: each item keeps its thread busy for <see cref="ItemDuration"/> of wall time and never looks
/// at a cancellation token, like most user code. Returns the item.
/// </summary>
internal sealed class SlowItemKernel : IItemKernel<long, long>
{
    public static readonly TimeSpan ItemDuration = TimeSpan.FromMilliseconds(250);

    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, long> Handle = new("test/slow-item");

    public string Name => "slow-item";

    public long Compute(long item)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < ItemDuration)
        {
            Thread.SpinWait(100);
        }

        return item;
    }
}

/// <summary>
/// Keeps its thread busy for as many microseconds of wall time as the item says, and returns the item: a kernel whose
/// cost per item the test chooses.
/// </summary>
internal sealed class SpinMicrosecondsKernel : IItemKernel<long, long>
{
    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, long> Handle = new("test/spin-microseconds");

    public string Name => "spin-microseconds";

    public long Compute(long item)
    {
        var until = TimeSpan.FromTicks(item * TimeSpan.TicksPerMicrosecond);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < until)
        {
            Thread.SpinWait(20);
        }

        return item;
    }
}
