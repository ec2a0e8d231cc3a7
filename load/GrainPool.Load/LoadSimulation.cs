namespace GrainPool.Load;

/// <summary>
/// One phase of a scenario's load, as NBomber names them; a scenario runs its simulations one after another.
/// Closed models (<see cref="KeepConstant"/>, <see cref="RampingConstant"/>, <see cref="IterationsForConstant"/>) keep a
/// number of copies busy, each starting its next iteration when the last one ends. Open models (<see cref="Inject"/>,
/// <see cref="RampingInject"/>, <see cref="InjectRandom"/>, <see cref="IterationsForInject"/>) start iterations at planned
/// times whether or not earlier ones have finished, evenly spaced (never a burst at the start of each interval), at any
/// rate above zero, also below one per second.
/// </summary>
public sealed record LoadSimulation
{
    internal enum Model { KeepConstant, RampingConstant, IterationsForConstant, Inject, RampingInject, InjectRandom, IterationsForInject, Pause }

    private LoadSimulation(Model kind, TimeSpan during)
    {
        Kind = kind;
        During = during;
    }

    internal Model Kind { get; }

    /// <summary>How long the phase is planned to last (for <see cref="IterationsForConstant"/>: zero, it lasts as long as its iterations).</summary>
    public TimeSpan During { get; private init; }

    internal int Copies { get; private init; }
    internal long Iterations { get; private init; }
    internal double Rate { get; private init; }
    internal TimeSpan Interval { get; private init; }
    internal int MaxConcurrency { get; private init; }
    internal int MaxRate { get; private init; }

    /// <summary>Closed model: <paramref name="copies"/> copies run iterations back to back for <paramref name="during"/>.</summary>
    public static LoadSimulation KeepConstant(int copies, TimeSpan during) =>
        new(Model.KeepConstant, Positive(during, nameof(during))) { Copies = AtLeastOne(copies, nameof(copies)) };

    /// <summary>
    /// Closed model: the number of copies goes linearly from the previous simulation's copies (zero after an open one, a
    /// pause or none) to <paramref name="copies"/> over <paramref name="during"/>. The copies running at time t are the
    /// linear target rounded up: ramping up from a to b, the copy a + j (j from 1) joins at (j - 1) / (b - a) of the
    /// phase; ramping down, the copy b + j stops starting iterations at (a - b - j + 1) / (a - b) of it.
    /// </summary>
    public static LoadSimulation RampingConstant(int copies, TimeSpan during)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        return new(Model.RampingConstant, Positive(during, nameof(during))) { Copies = copies };
    }

    /// <summary>Closed model: <paramref name="copies"/> copies share <paramref name="iterations"/> iterations, run back to back.</summary>
    public static LoadSimulation IterationsForConstant(int copies, long iterations)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        return new(Model.IterationsForConstant, TimeSpan.Zero) { Copies = AtLeastOne(copies, nameof(copies)), Iterations = iterations };
    }

    /// <summary>
    /// Open model: <paramref name="rate"/> iterations per <paramref name="interval"/> for <paramref name="during"/>,
    /// evenly spaced. At most <paramref name="maxConcurrency"/> run at once (the harness's connections, as in wrk2); an
    /// iteration that finds them all busy starts late, and its latency still counts from its planned start.
    /// </summary>
    public static LoadSimulation Inject(double rate, TimeSpan interval, TimeSpan during, int maxConcurrency = DefaultMaxConcurrency) =>
        Open(Model.Inject, rate, interval, during, maxConcurrency);

    /// <summary>
    /// Open model: the rate goes linearly from the previous simulation's rate (an <see cref="InjectRandom"/>'s last drawn
    /// rate; zero after a closed one, a pause or none)
    /// to <paramref name="rate"/> per <paramref name="interval"/> over <paramref name="during"/>; arrivals evenly spaced
    /// in that changing rate. <paramref name="maxConcurrency"/> as for <see cref="Inject"/>.
    /// </summary>
    public static LoadSimulation RampingInject(double rate, TimeSpan interval, TimeSpan during, int maxConcurrency = DefaultMaxConcurrency) =>
        Open(Model.RampingInject, rate, interval, during, maxConcurrency);

    /// <summary>
    /// Open model: each <paramref name="interval"/> of <paramref name="during"/> takes a random whole rate from
    /// <paramref name="minRate"/> to <paramref name="maxRate"/> (both included) and starts that many iterations in it,
    /// evenly spaced. The random source is seeded from the scenario's seed (<see cref="Scenario.WithSeed"/>), so a run
    /// repeats its plan. <paramref name="maxConcurrency"/> as for <see cref="Inject"/>.
    /// </summary>
    public static LoadSimulation InjectRandom(
        int minRate, int maxRate, TimeSpan interval, TimeSpan during, int maxConcurrency = DefaultMaxConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRate, Math.Max(minRate, 1));
        return new(Model.InjectRandom, Positive(during, nameof(during)))
        {
            Rate = minRate,
            MaxRate = maxRate,
            Interval = Positive(interval, nameof(interval)),
            MaxConcurrency = AtLeastOne(maxConcurrency, nameof(maxConcurrency)),
        };
    }

    /// <summary>
    /// Open model: <paramref name="iterations"/> iterations at <paramref name="rate"/> per <paramref name="interval"/>,
    /// evenly spaced (the i-th, from 0, at i x interval / rate); planned to last iterations x interval / rate.
    /// <paramref name="maxConcurrency"/> as for <see cref="Inject"/>.
    /// </summary>
    public static LoadSimulation IterationsForInject(double rate, TimeSpan interval, long iterations, int maxConcurrency = DefaultMaxConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        var perInterval = Open(Model.Inject, rate, interval, interval, maxConcurrency);
        var during = TimeSpan.FromTicks((long)Math.Round(iterations * interval.Ticks / rate));
        return new(Model.IterationsForInject, Positive(during, nameof(iterations)))
        {
            Rate = rate,
            Interval = perInterval.Interval,
            MaxConcurrency = perInterval.MaxConcurrency,
            Iterations = iterations,
        };
    }

    /// <summary>No load for <paramref name="during"/>.</summary>
    public static LoadSimulation Pause(TimeSpan during) => new(Model.Pause, Positive(during, nameof(during)));

    /// <summary>The open models' default bound on iterations running at once.</summary>
    public const int DefaultMaxConcurrency = 1000;

    /// <summary>The phase in NBomber's words, for the reports.</summary>
    public override string ToString() => Kind switch
    {
        Model.KeepConstant => $"KeepConstant(copies: {Copies}, during: {During})",
        Model.RampingConstant => $"RampingConstant(copies: {Copies}, during: {During})",
        Model.InjectRandom => $"InjectRandom(minRate: {Rate}, maxRate: {MaxRate}, interval: {Interval}, during: {During})",
        Model.IterationsForInject => $"IterationsForInject(rate: {Rate}, interval: {Interval}, iterations: {Iterations})",
        Model.IterationsForConstant => $"IterationsForConstant(copies: {Copies}, iterations: {Iterations})",
        Model.Inject => $"Inject(rate: {Rate}, interval: {Interval}, during: {During})",
        Model.RampingInject => $"RampingInject(rate: {Rate}, interval: {Interval}, during: {During})",
        _ => $"Pause(during: {During})",
    };

    /// <summary>The copies this phase ends with, where the next <see cref="RampingConstant"/> starts from.</summary>
    internal int EndCopies => Kind is Model.KeepConstant or Model.RampingConstant or Model.IterationsForConstant ? Copies : 0;

    /// <summary>
    /// When the copy number <paramref name="copy"/> (from 1) of a closed phase starts and stops starting iterations,
    /// from the phase's start, given the copies of the phase before; <see cref="TimeSpan.MaxValue"/> for a copy that
    /// runs to the end of the phase (or of its iterations).
    /// </summary>
    internal (TimeSpan Join, TimeSpan Leave) CopyWindow(int previousCopies, int copy)
    {
        if (Kind != Model.RampingConstant)
        {
            return (TimeSpan.Zero, Kind == Model.KeepConstant ? During : TimeSpan.MaxValue);
        }
        var (from, to) = (previousCopies, Copies);
        TimeSpan Fraction(int numerator, int denominator) =>
            TimeSpan.FromTicks((long)Math.Round((double)numerator * During.Ticks / denominator));
        if (copy <= Math.Min(from, to))
        {
            return (TimeSpan.Zero, During);
        }
        return to > from
            ? (Fraction(copy - from - 1, to - from), During)
            : (TimeSpan.Zero, Fraction(from - copy + 1, from - to));
    }

    /// <summary>How many copies a closed phase starts in all (those joining later and those leaving early included).</summary>
    internal int CopyCount(int previousCopies) => Kind == Model.RampingConstant ? Math.Max(previousCopies, Copies) : Copies;

    /// <summary>The planned starts of an open phase; <paramref name="random"/> draws <see cref="InjectRandom"/>'s rates.</summary>
    internal IArrivals Arrivals(double previousRatePerSecond, Random random)
    {
        var perSecond = Rate / Interval.TotalSeconds;
        return Kind switch
        {
            Model.InjectRandom => RandomArrivals.Draw(Rate, MaxRate, Interval, During, random),
            Model.RampingInject => new ArrivalPlan(previousRatePerSecond, perSecond, During),
            Model.IterationsForInject => new ArrivalPlan(perSecond, perSecond, During) { Limit = Iterations },
            _ => new ArrivalPlan(perSecond, perSecond, During),
        };
    }

    /// <summary>This phase's shape for <paramref name="during"/>: what a warm-up of that length runs.</summary>
    internal LoadSimulation WarmUp(TimeSpan during) => Kind switch
    {
        Model.IterationsForConstant => KeepConstant(Copies, during),
        Model.IterationsForInject => Inject(Rate, Interval, during, MaxConcurrency),
        _ => this with { During = during },
    };

    private static LoadSimulation Open(Model kind, double rate, TimeSpan interval, TimeSpan during, int maxConcurrency)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be a finite number above zero.");
        }
        return new(kind, Positive(during, nameof(during)))
        {
            Rate = rate,
            Interval = Positive(interval, nameof(interval)),
            MaxConcurrency = AtLeastOne(maxConcurrency, nameof(maxConcurrency)),
        };
    }

    private static TimeSpan Positive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, "The time must be above zero.");

    private static int AtLeastOne(int value, string name) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, "At least one is needed.");
}

/// <summary>
/// The planned start times of an open phase: the i-th iteration (from 0) starts when the expected number of arrivals
/// since the phase began, the integral of the rate, reaches i. For a constant rate r that is i / r exactly.
/// </summary>
internal readonly record struct ArrivalPlan(double StartRatePerSecond, double EndRatePerSecond, TimeSpan During) : IArrivals
{
    /// <summary>At most this many (<see cref="LoadSimulation.IterationsForInject"/>'s count, against rounding).</summary>
    public long Limit { get; init; } = long.MaxValue;

    /// <summary>How many iterations start in [0, During).</summary>
    public long Count
    {
        get
        {
            var expected = (StartRatePerSecond + EndRatePerSecond) / 2 * During.TotalSeconds;
            // The tolerance keeps 100/s for 1 s at 100 arrivals when floating point gives 100.00000000001.
            return Math.Min(Limit, (long)Math.Ceiling(expected - 1e-9));
        }
    }

    /// <summary>When the <paramref name="index"/>-th iteration is planned to start, from the phase's start.</summary>
    public TimeSpan Offset(long index)
    {
        if (index == 0)
        {
            return TimeSpan.Zero;
        }
        // Arrivals so far: N(t) = b t + a t^2 with b the start rate and a = (end - start) / (2 During); N(t) = index
        // solved in the form without cancellation, which also holds for a = 0 (t = index / b) and a < 0 (ramping down).
        var b = StartRatePerSecond;
        var a = (EndRatePerSecond - StartRatePerSecond) / (2 * During.TotalSeconds);
        var seconds = 2 * index / (b + Math.Sqrt(Math.Max(0, b * b + 4 * a * index)));
        return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }
}

/// <summary>An open phase's planned starts: how many, and when each (from 0) starts from the phase's start.</summary>
internal interface IArrivals
{
    long Count { get; }

    /// <summary>The rate per second at the phase's end, where a <see cref="LoadSimulation.RampingInject"/> after it starts from.</summary>
    double EndRatePerSecond { get; }

    TimeSpan Offset(long index);
}

/// <summary>
/// <see cref="LoadSimulation.InjectRandom"/>'s plan: a rate drawn for each interval, the interval's starts evenly spaced
/// in it (the j-th, from 0, at j x interval / rate), only those before the phase's end.
/// </summary>
internal sealed class RandomArrivals : IArrivals
{
    private readonly long[] _firstIndex;

    private RandomArrivals(int[] rates, TimeSpan interval, TimeSpan during)
    {
        Rates = rates;
        Interval = interval;
        _firstIndex = new long[rates.Length + 1];
        for (var k = 0; k < rates.Length; k++)
        {
            var inPhase = 0L;
            while (inPhase < rates[k] && TimeSpan.FromTicks(interval.Ticks * k) + Spacing(interval, rates[k], inPhase) < during)
            {
                inPhase++;
            }
            _firstIndex[k + 1] = _firstIndex[k] + inPhase;
        }
    }

    /// <summary>The rate drawn for each interval, in order.</summary>
    public IReadOnlyList<int> Rates { get; }

    public TimeSpan Interval { get; }

    public long Count => _firstIndex[^1];

    public double EndRatePerSecond => Rates.Count == 0 ? 0 : Rates[^1] / Interval.TotalSeconds;

    public static RandomArrivals Draw(double minRate, int maxRate, TimeSpan interval, TimeSpan during, Random random)
    {
        var intervals = (int)Math.Ceiling((double)during.Ticks / interval.Ticks);
        var rates = new int[intervals];
        for (var k = 0; k < intervals; k++)
        {
            rates[k] = random.Next((int)minRate, maxRate + 1);
        }
        return new RandomArrivals(rates, interval, during);
    }

    public TimeSpan Offset(long index)
    {
        // The interval k holding the index: the last whose first index is at or below it (empty intervals skipped).
        var k = Array.BinarySearch(_firstIndex, index);
        if (k < 0)
        {
            k = ~k - 1;
        }
        while (k + 1 < _firstIndex.Length && _firstIndex[k + 1] <= index)
        {
            k++;
        }
        return TimeSpan.FromTicks(Interval.Ticks * k) + Spacing(Interval, Rates[k], index - _firstIndex[k]);
    }

    private static TimeSpan Spacing(TimeSpan interval, int rate, long j) => TimeSpan.FromTicks((long)Math.Round((double)j * interval.Ticks / rate));
}
