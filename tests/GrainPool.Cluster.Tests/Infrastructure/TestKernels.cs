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
    public static readonly RangeKernel<ulong> Handle = new(new CollatzMaxStoppingTimeKernel());

    public string Id => "test/collatz-max";

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
    public static readonly ItemKernel<long, long> Handle = new(new RejectOneValueKernel());

    public string Id => "test/twice-plus-one-rejecting-4242";

    public long Compute(long item) => item == RejectedValue
        ? throw new ArgumentOutOfRangeException(nameof(item), item, $"The test kernel rejects {RejectedValue}.")
        : checked((2 * item) + 1);

    /// <summary>What the kernel returns for an accepted item, computed here without the kernel.</summary>
    public static long Expected(long item) => (item * 2) + 1;
}

/// <summary>
/// Returns a text of as many characters as the item says (ASCII, so one byte each on the wire): results as large as a
/// test wants, to cross the silo's message size limit.
/// </summary>
internal sealed class LongTextKernel : IItemKernel<long, string>
{
    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, string> Handle = new(new LongTextKernel());

    public string Id => "test/long-text";

    public string Compute(long item) => new('t', checked((int)item));
}

/// <summary>
/// A range kernel whose partial result is a list: the multiples of 7 in the chunk, and for each number from
/// <see cref="HugeFrom"/> on a block of <see cref="HugeBlock"/> copies of it. Its partials grow with the chunk, so a
/// large chunk's partial crosses the silo's message size limit, and from <see cref="HugeFrom"/> one number's does.
/// Concatenation is associative, and the test compares the lists sorted.
/// </summary>
internal sealed class MultiplesListKernel : IRangeKernel<long[]>
{
    public const ulong HugeFrom = 1_000_000_000_000;
    public const int HugeBlock = 200_000;

    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly RangeKernel<long[]> Handle = new(new MultiplesListKernel());

    public string Id => "test/multiples-list";

    public ulong MinChunkSize => 1UL << 10;

    public long[] Zero => [];

    public long[] Compute(ulong first, ulong last)
    {
        var found = new List<long>();
        for (var n = first; ; n++)
        {
            if (n >= HugeFrom)
            {
                found.AddRange(Enumerable.Repeat((long)n, HugeBlock));
            }
            else if (n % 7 == 0)
            {
                found.Add((long)n);
            }

            if (n == last)
            {
                return [.. found];
            }
        }
    }

    public long[] Combine(long[] left, long[] right) => [.. left, .. right];
}

/// <summary>The length of a text item: what a map of texts too large for a request message sends.</summary>
internal sealed class TextLengthKernel : IItemKernel<string, long>
{
    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<string, long> Handle = new(new TextLengthKernel());

    public string Id => "test/text-length";

    public long Compute(string item) => item.Length;
}

/// <summary>
/// Reports the thread a worker computes on: the managed thread id, negated when that thread belongs to the .NET thread
/// pool. Checks where kernels run (each worker on a dedicated thread of its own), not a computation.
/// </summary>
internal sealed class ThreadIdentityKernel : IItemKernel<long, int>
{
    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, int> Handle = new(new ThreadIdentityKernel());

    public string Id => "test/thread-identity";

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
    public static readonly ItemKernel<long, long> Handle = new(new BuggyKernel());

    public string Id => "test/buggy-triple";

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
    public static readonly ItemKernel<long, long> Handle = new(new SlowItemKernel());

    public string Id => "test/slow-item";

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
    public static readonly ItemKernel<long, long> Handle = new(new SpinMicrosecondsKernel());

    public string Id => "test/spin-microseconds";

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

/// <summary>
/// A kernel the test drives: an item whose value has a gate armed (<see cref="Arm"/>) signals that it has entered and
/// then blocks its worker's thread until the test opens that gate; every other item passes at once. Returns the item.
/// Gates are keyed by item value in a static registry (the silos run in the test's process), so each test arms values
/// no other test uses. Disposing the <see cref="Gates"/> opens them all, and a gate left shut opens by itself after
/// <see cref="SafetyCap"/>, so a failing test never leaves a worker blocked for the rest of the run.
/// </summary>
internal sealed class GateKernel : IItemKernel<long, long>
{
    /// <summary>The longest an item waits at a shut gate before it passes anyway.</summary>
    public static readonly TimeSpan SafetyCap = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The least time an item spends at its gate, however soon it opens: twice the workers' slice target (50 ms), so a
    /// gated item always ends a slice and the worker looks at cancellation, its job and the silo's stopping right after
    /// it (it looks only once a slice's time has passed, and never after a chunk's last item).
    /// </summary>
    public static readonly TimeSpan MinimumHold = TimeSpan.FromMilliseconds(100);

    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly ItemKernel<long, long> Handle = new(new GateKernel());

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, Gate> Armed = new();

    public string Id => "test/gate";

    /// <summary>Arms one shut gate for each of <paramref name="values"/>; dispose the result to open and remove them.</summary>
    public static Gates Arm(params long[] values) => new(values);

    public long Compute(long item)
    {
        PassIfArmed(item);
        return item;
    }

    /// <summary>Holds the calling worker at the gate armed for <paramref name="value"/>, if there is one.</summary>
    internal static void PassIfArmed(long value)
    {
        if (Armed.TryGetValue(value, out var gate))
        {
            gate.Pass();
        }
    }

    /// <summary>One armed value: counts the items that entered it, and holds them until opened.</summary>
    internal sealed class Gate(long value)
    {
        private readonly ManualResetEventSlim _open = new(false);
        private readonly SemaphoreSlim _entries = new(0);
        private int _entered;

        public long Value { get; } = value;

        /// <summary>How many times an item of this value has entered the gate (a retried chunk enters again).</summary>
        public int Entered => Volatile.Read(ref _entered);

        public bool IsOpen => _open.IsSet;

        public void Open() => _open.Set();

        /// <summary>Waits until an item of this value has entered the gate <paramref name="times"/> times in all.</summary>
        public async Task WaitEnteredAsync(TimeSpan within, int times = 1)
        {
            using var deadline = new CancellationTokenSource(within);
            try
            {
                while (Entered < times)
                {
                    await _entries.WaitAsync(deadline.Token);
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Gate {Value} was entered {Entered} times within {within.TotalSeconds:0} s, not {times}.");
            }
        }

        internal void Pass()
        {
            var entered = System.Diagnostics.Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _entered);
            _entries.Release();
            _open.Wait(SafetyCap);
            var held = System.Diagnostics.Stopwatch.GetElapsedTime(entered);
            if (held < MinimumHold)
            {
                Thread.Sleep(MinimumHold - held);
            }
        }
    }

    /// <summary>The gates one test armed.</summary>
    internal sealed class Gates : IDisposable
    {
        private readonly Gate[] _gates;

        internal Gates(long[] values)
        {
            _gates = [.. values.Select(v => new Gate(v))];
            foreach (var gate in _gates)
            {
                if (!Armed.TryAdd(gate.Value, gate))
                {
                    Dispose();
                    throw new InvalidOperationException($"A gate for item {gate.Value} is already armed by another test.");
                }
            }
        }

        public Gate this[long value] => _gates.Single(g => g.Value == value);

        public IReadOnlyList<Gate> All => _gates;

        public void OpenAll()
        {
            foreach (var gate in _gates)
            {
                gate.Open();
            }
        }

        public void Dispose()
        {
            OpenAll();
            foreach (var gate in _gates)
            {
                Armed.TryRemove(new KeyValuePair<long, Gate>(gate.Value, gate));
            }
        }
    }
}

/// <summary>
/// The range form of <see cref="GateKernel"/>: counts the numbers of its chunk, and a number with an armed gate holds
/// the worker there until the test opens it. The job's value is the count of its range, last - first + 1.
/// </summary>
internal sealed class GateRangeKernel : IRangeKernel<ulong>
{
    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly RangeKernel<ulong> Handle = new(new GateRangeKernel());

    public string Id => "test/gate-range";

    public ulong MinChunkSize => 1;

    public ulong Zero => 0;

    public ulong Compute(ulong first, ulong last)
    {
        for (var n = first; ; n++)
        {
            GateKernel.PassIfArmed((long)n);
            if (n == last)
            {
                return last - first + 1;
            }
        }
    }

    public ulong Combine(ulong left, ulong right) => left + right;
}

/// <summary>
/// Keeps its thread busy for <see cref="NumberDuration"/> of wall time per number and counts the numbers: a range job of
/// n numbers on w workers lasts at least n x <see cref="NumberDuration"/> / w however fast the machine is.
/// </summary>
internal sealed class SpinPerNumberKernel : IRangeKernel<ulong>
{
    public static readonly TimeSpan NumberDuration = TimeSpan.FromMilliseconds(1);

    /// <summary>The client's handle, registered on every test silo under the same id.</summary>
    public static readonly RangeKernel<ulong> Handle = new(new SpinPerNumberKernel());

    public string Id => "test/spin-per-number";

    public ulong MinChunkSize => 1;

    public ulong Zero => 0;

    public ulong Compute(ulong first, ulong last)
    {
        var until = TimeSpan.FromTicks((long)(last - first + 1) * NumberDuration.Ticks);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < until)
        {
            Thread.SpinWait(20);
        }

        return last - first + 1;
    }

    public ulong Combine(ulong left, ulong right) => left + right;
}

/// <summary>
/// A range kernel declared on the client only, never registered on a test silo: a handle made from it names a kernel the
/// cluster does not have, or, with a registered id, one the cluster has with other types.
/// </summary>
internal sealed class UnregisteredRangeKernel<TPartial>(string id, TPartial zero, Func<TPartial, TPartial, TPartial> combine) : IRangeKernel<TPartial>
{
    public string Id => id;

    public ulong MinChunkSize => 1;

    public TPartial Zero => zero;

    public TPartial Compute(ulong first, ulong last) => throw new InvalidOperationException($"{id} is declared for the client only.");

    public TPartial Combine(TPartial left, TPartial right) => combine(left, right);
}

/// <summary>An item kernel declared on the client only, never registered on a test silo.</summary>
internal sealed class UnregisteredItemKernel<TItem, TResult>(string id) : IItemKernel<TItem, TResult>
{
    public string Id => id;

    public TResult Compute(TItem item) => throw new InvalidOperationException($"{id} is declared for the client only.");
}
