namespace GrainPool.Load;

/// <summary>How <see cref="LoadRunner"/> runs: its clock, its reporting interval and who hears each interval's statistics.</summary>
public sealed record LoadRunOptions
{
    /// <summary>The reporting interval NBomber uses by default.</summary>
    public static readonly TimeSpan DefaultReportingInterval = TimeSpan.FromSeconds(5);

    /// <summary>The clock to schedule and measure by; <see cref="LoadClock.Real"/> unless set.</summary>
    public LoadClock Clock { get; init; } = LoadClock.Real;

    /// <summary>How often a row of <see cref="ScenarioStats.Intervals"/> is taken and <see cref="OnInterval"/> told.</summary>
    public TimeSpan ReportingInterval { get; init; } = DefaultReportingInterval;

    /// <summary>Told each interval's statistics as soon as the interval ends (live progress, metrics sinks); may be null.</summary>
    public Action<IntervalStats>? OnInterval { get; init; }
}
