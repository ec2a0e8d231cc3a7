namespace GrainPool.Load;

/// <summary>A latency distribution in milliseconds (from HdrHistogram, to 3 significant digits).</summary>
public sealed record LatencyStats(double Mean, double P50, double P75, double P95, double P99, double P999, double Max)
{
    /// <summary>The percentiles <see cref="Distribution"/> gives, for the reports' distribution charts.</summary>
    public static readonly IReadOnlyList<double> DistributionPercentiles =
        [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100];

    /// <summary>The latency in milliseconds at each of <see cref="DistributionPercentiles"/> (empty when nothing was recorded).</summary>
    public IReadOnlyList<PercentileValue> Distribution { get; init; } = [];
}

/// <summary>A latency at a percentile.</summary>
/// <param name="Percentile">From 0 to 100.</param>
/// <param name="Milliseconds">The latency at it.</param>
public sealed record PercentileValue(double Percentile, double Milliseconds);

/// <summary>The ok or the failed iterations (or calls of a step) of a run.</summary>
/// <param name="Count">How many.</param>
/// <param name="Rps">How many per second of the run.</param>
/// <param name="Latency">
/// From each iteration's intended start to the end (coordinated omission corrected, as wrk2 does): the time a user
/// arriving on plan would have waited. For a step after the first, from the end of the step before it.
/// </param>
/// <param name="ServiceTime">From the moment the call really started to its end: the raw service time.</param>
/// <param name="SizeBytes">The sizes the responses gave, summed.</param>
public sealed record OutcomeStats(long Count, double Rps, LatencyStats Latency, LatencyStats ServiceTime, long SizeBytes);

/// <summary>One step's statistics, ok and failed apart.</summary>
public sealed record StepStats(string Name, OutcomeStats Ok, OutcomeStats Fail);

/// <summary>One load simulation's plan beside what was achieved.</summary>
/// <param name="Simulation">The phase in NBomber's words.</param>
/// <param name="Duration">How long it really took (at least its planned duration).</param>
/// <param name="PlannedCount">The iterations planned; null for <see cref="LoadSimulation.KeepConstant"/>, which plans a time, not a count.</param>
/// <param name="PlannedRps">The planned iterations per second; null where no count is planned.</param>
/// <param name="AchievedCount">The iterations run.</param>
/// <param name="AchievedRps">The iterations run per second of <paramref name="Duration"/>.</param>
/// <param name="LateCount">Iterations that started after their planned time by more than the scenario's tolerance.</param>
public sealed record SimulationStats(
    string Simulation, TimeSpan Duration, long? PlannedCount, double? PlannedRps, long AchievedCount, double AchievedRps, long LateCount);

/// <summary>A scenario's statistics: whole iterations ok and failed apart, each step, each load simulation.</summary>
public sealed record ScenarioStats(
    string Name,
    TimeSpan Duration,
    OutcomeStats Ok,
    OutcomeStats Fail,
    IReadOnlyList<StepStats> Steps,
    IReadOnlyList<SimulationStats> Simulations)
{
    /// <summary>
    /// One row per reporting interval (<see cref="LoadRunOptions.ReportingInterval"/>), in time order, for plots and
    /// live sinks; the last one may be shorter. Warm-up is not in them.
    /// </summary>
    public IReadOnlyList<IntervalStats> Intervals { get; init; } = [];

    /// <summary>Iterations that started late, over all simulations.</summary>
    public long LateCount => Simulations.Sum(s => s.LateCount);

    /// <summary>Failed iterations as a percentage of all (0 when none ran).</summary>
    public double FailPercent => Ok.Count + Fail.Count == 0 ? 0 : 100.0 * Fail.Count / (Ok.Count + Fail.Count);
}

/// <summary>The outcome of a run: the statistics and each threshold's result.</summary>
public sealed record LoadResult(ScenarioStats Stats, IReadOnlyList<ThresholdResult> Thresholds)
{
    /// <summary>True when every threshold passed every check (during the run and at the end).</summary>
    public bool Passed => Thresholds.All(t => t.Passed);

    /// <summary>True when a threshold with <see cref="Threshold.AbortWhenFailed"/> stopped the run early.</summary>
    public bool Aborted { get; init; }

    /// <summary>Why the run stopped early (which threshold of which scenario, at what time); null when it was not.</summary>
    public string? AbortReason { get; init; }

    /// <summary>The names of the thresholds that failed.</summary>
    public IReadOnlyList<string> FailedThresholds => [.. Thresholds.Where(t => !t.Passed).Select(t => t.Name)];
}

/// <summary>
/// What happened in one reporting interval of a scenario's run: the iterations that ended in it (ok and failed apart),
/// each step's calls that ended in it, and the iterations that started late in it.
/// </summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Index">The interval's number, from 0.</param>
/// <param name="Start">When the interval began, from the start of the measured load (after warm-up).</param>
/// <param name="Duration">How long it lasted (the reporting interval; the last one may be shorter).</param>
/// <param name="Simulation">The load simulation running at the interval's end, in NBomber's words.</param>
/// <param name="Ok">The successful iterations that ended in the interval; <see cref="OutcomeStats.Rps"/> per second of the interval.</param>
/// <param name="Fail">The failed iterations that ended in the interval.</param>
/// <param name="Steps">Each step's calls that ended in the interval.</param>
/// <param name="LateCount">Iterations that started late in the interval.</param>
public sealed record IntervalStats(
    string Scenario,
    int Index,
    TimeSpan Start,
    TimeSpan Duration,
    string Simulation,
    OutcomeStats Ok,
    OutcomeStats Fail,
    IReadOnlyList<StepStats> Steps,
    long LateCount);
