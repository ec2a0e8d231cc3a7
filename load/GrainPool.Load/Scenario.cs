namespace GrainPool.Load;

/// <summary>What a step is given each time it runs.</summary>
/// <param name="ScenarioName">The scenario's name.</param>
/// <param name="StepName">This step's name.</param>
/// <param name="Iteration">The iteration's number in the run (or in the warm-up), from 0.</param>
/// <param name="IntendedStart">When the iteration was planned to start, on <paramref name="Clock"/>.</param>
/// <param name="Clock">The run's clock: a step that simulates service time waits on it.</param>
/// <param name="CancellationToken">Cancelled when the run is.</param>
public sealed record StepContext(
    string ScenarioName, string StepName, long Iteration, TimeSpan IntendedStart, LoadClock Clock, CancellationToken CancellationToken)
{
    /// <summary>
    /// True while the scenario warms up (<see cref="Scenario.WithWarmUpDuration"/>): nothing of it is measured. The
    /// warm-up's iterations are numbered from 0 on their own, and the measured ones from 0 again.
    /// </summary>
    public bool IsWarmUp { get; init; }
}

/// <summary>A named step of a scenario: one call whose latency is measured on its own.</summary>
/// <param name="Name">The step's name in the reports.</param>
/// <param name="Run">The call; an exception it throws counts as <see cref="Response.Fail"/> with the exception's message.</param>
public sealed record Step(string Name, Func<StepContext, Task<Response>> Run);

/// <summary>
/// A load test as NBomber writes one: a name, optional init and clean, one or more steps run in order in each
/// iteration (a failed step ends its iteration), an optional warm-up, load simulations run one after another, and
/// thresholds checked during the run and at the end. Built fluently; each method returns a new scenario.
/// <code>
/// var scenario = Scenario.Create("is-prime")
///     .WithStep("call", async ctx => { await client.IsPrimeAsync(n); return Response.Ok(); })
///     .WithLoadSimulations(LoadSimulation.Inject(rate: 100, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(30)))
///     .WithThresholds(Threshold.LatencyP99Below(TimeSpan.FromMilliseconds(200)));
/// var result = await LoadRunner.RunAsync(scenario);
/// </code>
/// </summary>
public sealed record Scenario
{
    /// <summary>How late an iteration may start after its planned time before it counts as late, unless set.</summary>
    public static readonly TimeSpan DefaultLateTolerance = TimeSpan.FromMilliseconds(10);

    /// <summary>The seed of <see cref="LoadSimulation.InjectRandom"/>'s random rates unless set: fixed, so runs repeat.</summary>
    public const int DefaultSeed = 0;

    private Scenario(string name) => Name = name;

    /// <summary>The scenario's name in the reports.</summary>
    public string Name { get; }

    /// <summary>Runs once before the load starts (connect a client, fill a cache).</summary>
    public Func<CancellationToken, Task>? Init { get; private init; }

    /// <summary>Runs once after the load, also when a step threw.</summary>
    public Func<CancellationToken, Task>? Clean { get; private init; }

    /// <summary>The steps, in the order each iteration runs them.</summary>
    public IReadOnlyList<Step> Steps { get; private init; } = [];

    /// <summary>The load phases, run one after another.</summary>
    public IReadOnlyList<LoadSimulation> LoadSimulations { get; private init; } = [];

    /// <summary>The checks made on the statistics at each reporting interval's end and at the end.</summary>
    public IReadOnlyList<Threshold> Thresholds { get; private init; } = [];

    /// <summary>How late after its planned time an iteration may start before it counts as late.</summary>
    public TimeSpan LateTolerance { get; private init; } = DefaultLateTolerance;

    /// <summary>Seeds the random source of the scenario's load simulations (<see cref="LoadSimulation.InjectRandom"/>).</summary>
    public int Seed { get; private init; } = DefaultSeed;

    /// <summary>
    /// How long the scenario runs the shape of its first load simulation before the measured load; nothing of the
    /// warm-up is in the statistics, the intervals or the thresholds. Zero (no warm-up) unless set.
    /// </summary>
    public TimeSpan WarmUpDuration { get; private init; }

    /// <summary>A scenario with no steps and no load yet.</summary>
    public static Scenario Create(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(name);
    }

    /// <summary>A scenario of one step named like the scenario.</summary>
    public static Scenario Create(string name, Func<StepContext, Task<Response>> run) => Create(name).WithStep(name, run);

    /// <summary>Adds a step after the existing ones.</summary>
    public Scenario WithStep(string name, Func<StepContext, Task<Response>> run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(run);
        if (Steps.Any(s => s.Name == name))
        {
            throw new ArgumentException($"The scenario already has a step named '{name}'.", nameof(name));
        }
        return this with { Steps = [.. Steps, new Step(name, run)] };
    }

    /// <summary>Sets what runs once before the load.</summary>
    public Scenario WithInit(Func<CancellationToken, Task> init) => this with { Init = init };

    /// <summary>Sets what runs once after the load.</summary>
    public Scenario WithClean(Func<CancellationToken, Task> clean) => this with { Clean = clean };

    /// <summary>Sets the load phases (replacing any set before).</summary>
    public Scenario WithLoadSimulations(params LoadSimulation[] simulations) => this with { LoadSimulations = [.. simulations] };

    /// <summary>Sets the thresholds (replacing any set before).</summary>
    public Scenario WithThresholds(params Threshold[] thresholds) => this with { Thresholds = [.. thresholds] };

    /// <summary>Sets the seed of the scenario's random load (<see cref="DefaultSeed"/> unless set): the same seed, the same plan.</summary>
    public Scenario WithSeed(int seed) => this with { Seed = seed };

    /// <summary>
    /// Runs the first load simulation's shape for <paramref name="duration"/> before the measured load (an iterations
    /// count becomes that time at the same copies or rate); zero for none.
    /// </summary>
    public Scenario WithWarmUpDuration(TimeSpan duration) =>
        this with { WarmUpDuration = duration >= TimeSpan.Zero ? duration : throw new ArgumentOutOfRangeException(nameof(duration)) };

    /// <summary>Sets how late an iteration may start before it counts as late.</summary>
    public Scenario WithLateTolerance(TimeSpan tolerance) =>
        this with { LateTolerance = tolerance >= TimeSpan.Zero ? tolerance : throw new ArgumentOutOfRangeException(nameof(tolerance)) };
}
