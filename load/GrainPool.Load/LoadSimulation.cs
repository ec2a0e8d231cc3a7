namespace GrainPool.Load;

/// <summary>
/// One phase of a scenario's load, as NBomber names them; a scenario runs its simulations one after another.
/// Closed models (<see cref="KeepConstant"/>, <see cref="IterationsForConstant"/>) keep a number of copies busy, each
/// starting its next iteration when the last one ends. Open models (<see cref="Inject"/>, <see cref="RampingInject"/>)
/// start iterations at planned times whether or not earlier ones have finished, evenly spaced (never a burst at the
/// start of each interval), at any rate above zero, also below one per second.
/// </summary>
public sealed record LoadSimulation
{
    internal enum Model { KeepConstant, IterationsForConstant, Inject, RampingInject, Pause }

    private LoadSimulation(Model kind, TimeSpan during)
    {
        Kind = kind;
        During = during;
    }

    internal Model Kind { get; }

    /// <summary>How long the phase is planned to last (for <see cref="IterationsForConstant"/>: zero, it lasts as long as its iterations).</summary>
    public TimeSpan During { get; }

    internal int Copies { get; private init; }
    internal long Iterations { get; private init; }
    internal double Rate { get; private init; }
    internal TimeSpan Interval { get; private init; }
    internal int MaxConcurrency { get; private init; }

    /// <summary>Closed model: <paramref name="copies"/> copies run iterations back to back for <paramref name="during"/>.</summary>
    public static LoadSimulation KeepConstant(int copies, TimeSpan during) =>
        new(Model.KeepConstant, Positive(during, nameof(during))) { Copies = AtLeastOne(copies, nameof(copies)) };

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
    /// Open model: the rate goes linearly from the previous simulation's rate (zero after a closed one, a pause or none)
    /// to <paramref name="rate"/> per <paramref name="interval"/> over <paramref name="during"/>; arrivals evenly spaced
    /// in that changing rate. <paramref name="maxConcurrency"/> as for <see cref="Inject"/>.
    /// </summary>
    public static LoadSimulation RampingInject(double rate, TimeSpan interval, TimeSpan during, int maxConcurrency = DefaultMaxConcurrency) =>
        Open(Model.RampingInject, rate, interval, during, maxConcurrency);

    /// <summary>No load for <paramref name="during"/>.</summary>
    public static LoadSimulation Pause(TimeSpan during) => new(Model.Pause, Positive(during, nameof(during)));

    /// <summary>The open models' default bound on iterations running at once.</summary>
    public const int DefaultMaxConcurrency = 1000;

    /// <summary>The phase in NBomber's words, for the reports.</summary>
    public override string ToString() => Kind switch
    {
        Model.KeepConstant => $"KeepConstant(copies: {Copies}, during: {During})",
        Model.IterationsForConstant => $"IterationsForConstant(copies: {Copies}, iterations: {Iterations})",
        Model.Inject => $"Inject(rate: {Rate}, interval: {Interval}, during: {During})",
        Model.RampingInject => $"RampingInject(rate: {Rate}, interval: {Interval}, during: {During})",
        _ => $"Pause(during: {During})",
    };

    /// <summary>The rate per second this phase ends at, where the next <see cref="RampingInject"/> starts from.</summary>
    internal double EndRatePerSecond => Kind is Model.Inject or Model.RampingInject ? Rate / Interval.TotalSeconds : 0;

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
internal readonly record struct ArrivalPlan(double StartRatePerSecond, double EndRatePerSecond, TimeSpan During)
{
    /// <summary>How many iterations start in [0, During).</summary>
    public long Count
    {
        get
        {
            var expected = (StartRatePerSecond + EndRatePerSecond) / 2 * During.TotalSeconds;
            // The tolerance keeps 100/s for 1 s at 100 arrivals when floating point gives 100.00000000001.
            return (long)Math.Ceiling(expected - 1e-9);
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
