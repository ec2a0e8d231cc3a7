using System.Globalization;

namespace GrainPool.Load;

/// <summary>
/// Runs scenarios, as NBomber runs them: each scenario's load simulations one after another, several scenarios side by
/// side on one clock, every iteration measured, a row of statistics per reporting interval, thresholds checked at each
/// interval's end and at the end.
/// </summary>
public static class LoadRunner
{
    /// <summary>
    /// Runs <paramref name="scenario"/>: init, each load simulation in turn (an open phase ends when its last planned
    /// iteration has finished), clean; then checks the thresholds.
    /// </summary>
    /// <param name="scenario">What to run.</param>
    /// <param name="clock">The clock to schedule and measure by; <see cref="LoadClock.Real"/> unless given.</param>
    /// <param name="cancellationToken">
    /// Stops the run: the steps see it in their context, no further iteration starts, clean still runs, and the run ends
    /// in <see cref="OperationCanceledException"/> if a step or a wait observed it.
    /// </param>
    public static Task<LoadResult> RunAsync(Scenario scenario, LoadClock? clock = null, CancellationToken cancellationToken = default) =>
        RunAsync(scenario, new LoadRunOptions { Clock = clock ?? LoadClock.Real }, cancellationToken);

    /// <summary>Runs <paramref name="scenario"/> as <see cref="RunAsync(IReadOnlyList{Scenario}, LoadRunOptions?, CancellationToken)"/> runs one.</summary>
    /// <param name="scenario">What to run.</param>
    /// <param name="options">The clock, the reporting interval and who hears each interval.</param>
    /// <param name="cancellationToken">As for <see cref="RunAsync(Scenario, LoadClock?, CancellationToken)"/>.</param>
    public static async Task<LoadResult> RunAsync(Scenario scenario, LoadRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return (await RunAsync([scenario], options, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Runs <paramref name="scenarios"/> together: each one's init (in order); the warm-ups side by side; then every
    /// scenario's load simulations started together on one clock, each scenario measured on its own, with a row of
    /// <see cref="IntervalStats"/> every <see cref="LoadRunOptions.ReportingInterval"/> told to
    /// <see cref="LoadRunOptions.OnInterval"/> as the interval ends (the last, partial one at the end) and the thresholds
    /// checked on the statistics so far at each interval's end; each one's clean; the thresholds checked on the whole run.
    /// A threshold with <see cref="Threshold.AbortWhenFailed"/> that fails during the run stops every scenario: no new
    /// iterations, those running finish, and every result says <see cref="LoadResult.Aborted"/>; its statistics then
    /// cover the time it ran, and the load simulations it did not reach are not in them.
    /// </summary>
    /// <param name="scenarios">What to run; their names must differ.</param>
    /// <param name="options">The clock, the reporting interval and who hears each interval; defaults unless given.</param>
    /// <param name="cancellationToken">As for <see cref="RunAsync(Scenario, LoadClock?, CancellationToken)"/>.</param>
    /// <returns>One result per scenario, in the order given.</returns>
    public static async Task<IReadOnlyList<LoadResult>> RunAsync(
        IReadOnlyList<Scenario> scenarios, LoadRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        options ??= new LoadRunOptions();
        Validate(scenarios, options);
        var clock = options.Clock;
        using var control = new RunControl(cancellationToken);
        var initialized = new List<Scenario>();
        try
        {
            foreach (var scenario in scenarios)
            {
                if (scenario.Init is { } init)
                {
                    await init(cancellationToken).ConfigureAwait(false);
                }
                initialized.Add(scenario);
            }
            // Warm-ups side by side, unmeasured, so that every scenario's measured load then starts at the same time.
            var warmUps = scenarios
                .Where(s => s.WarmUpDuration > TimeSpan.Zero && s.LoadSimulations.Count > 0)
                .Select(s => new ScenarioRun(s, clock, control, options, origin: null))
                .ToList();
            await Drive(clock, warmUps, r => r.WarmUpAsync()).ConfigureAwait(false);

            var origin = clock.Elapsed;
            var runs = scenarios.Select(s => new ScenarioRun(s, clock, control, options, origin)).ToList();
            using var timerStop = new CancellationTokenSource();
            var timer = TickAsync(clock, origin, options.ReportingInterval, runs, timerStop.Token);
            try
            {
                await Drive(clock, runs, r => r.RunAsync()).ConfigureAwait(false);
            }
            finally
            {
                await timerStop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await timer.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timerStop.IsCancellationRequested)
                {
                }
            }
            return [.. runs.Select(r => r.Result())];
        }
        finally
        {
            await control.DrainAsync().ConfigureAwait(false);
            foreach (var scenario in initialized)
            {
                if (scenario.Clean is { } clean)
                {
                    await clean(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    // Every driver counts as running before any starts, so that a virtual clock does not move while some are starting.
    private static Task Drive(LoadClock clock, IReadOnlyList<ScenarioRun> runs, Func<ScenarioRun, Task> drive)
    {
        clock.TasksStarted(runs.Count);
        return Task.WhenAll(runs.Select(async run =>
        {
            try
            {
                await drive(run).ConfigureAwait(false);
            }
            finally
            {
                clock.TaskEnded();
            }
        }));
    }

    private static void Validate(IReadOnlyList<Scenario> scenarios, LoadRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Clock, nameof(options));
        if (options.ReportingInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ReportingInterval, "The reporting interval must be above zero.");
        }
        if (scenarios.Count == 0)
        {
            throw new ArgumentException("No scenario to run.", nameof(scenarios));
        }
        foreach (var scenario in scenarios)
        {
            ArgumentNullException.ThrowIfNull(scenario, nameof(scenarios));
            if (scenario.Steps.Count == 0)
            {
                throw new ArgumentException($"Scenario '{scenario.Name}' has no steps.", nameof(scenarios));
            }
        }
        if (scenarios.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException(
                $"Scenario names must be unique in a run: '{duplicate.Key}' is used by {duplicate.Count()} scenarios.", nameof(scenarios));
        }
    }

    // The reporting timer: waits on the run's clock without moving it, and closes every scenario's interval at each end.
    private static async Task TickAsync(LoadClock clock, TimeSpan origin, TimeSpan interval, IReadOnlyList<ScenarioRun> runs, CancellationToken cancellationToken)
    {
        for (var k = 1L; ; k++)
        {
            var end = origin + TimeSpan.FromTicks(interval.Ticks * k);
            await clock.WhenReached(end, cancellationToken).ConfigureAwait(false);
            foreach (var run in runs)
            {
                run.Tracker?.AdvanceTo(end);
            }
        }
    }

    /// <summary>The run's stop: the caller's cancellation, or an aborting threshold's.</summary>
    private sealed class RunControl(CancellationToken cancellationToken) : IDisposable
    {
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        private readonly Lock _gate = new();
        private Task _cancelling = Task.CompletedTask;
        private volatile bool _aborted;

        public CancellationToken Caller { get; } = cancellationToken;

        /// <summary>Cancelled when the run stops: the waits for the next start see it.</summary>
        public CancellationToken Token => _stop.Token;

        /// <summary>No further iteration starts.</summary>
        public bool Stopping => _aborted || _stop.IsCancellationRequested;

        public bool Aborted => _aborted;

        public string? AbortReason { get; private set; }

        public void Abort(string reason)
        {
            lock (_gate)
            {
                if (_aborted)
                {
                    return;
                }
                AbortReason = reason;
                _aborted = true;
                // Asynchronously: the caller holds a scenario's interval lock, and the waits it wakes must not run inside it.
                _cancelling = _stop.CancelAsync();
            }
        }

        public Task DrainAsync()
        {
            lock (_gate)
            {
                return _cancelling;
            }
        }

        public void Dispose() => _stop.Dispose();
    }

    private sealed class ScenarioRun
    {
        private readonly Scenario _scenario;
        private readonly RunControl _control;
        private readonly LoadRunOptions _options;
        private readonly bool _warmUp;
        private readonly Lock _phases = new();
        private readonly List<SimulationStats> _simulations = [];
        private readonly TimeSpan?[] _failedAt;
        private Phase? _current;
        private long _nextIteration = -1;
        private double _endRatePerSecond;
        private TimeSpan _duration;

        // origin: the measured load's start; null for a warm-up, which records nothing that is reported.
        public ScenarioRun(Scenario scenario, LoadClock clock, RunControl control, LoadRunOptions options, TimeSpan? origin)
        {
            _scenario = scenario;
            Clock = clock;
            _control = control;
            _options = options;
            _warmUp = origin is null;
            _failedAt = new TimeSpan?[scenario.Thresholds.Count];
            StepRecorders = [.. scenario.Steps.Select(_ => new OutcomeRecorder())];
            if (origin is { } start)
            {
                Tracker = new IntervalTracker(
                    scenario.Name, [.. scenario.Steps.Select(s => s.Name)], start, options.ReportingInterval, OnIntervalClosed);
            }
        }

        public LoadClock Clock { get; }
        public IntervalTracker? Tracker { get; }
        public OutcomeRecorder Iterations { get; } = new();
        public OutcomeRecorder[] StepRecorders { get; }

        public async Task WarmUpAsync()
        {
            var first = _scenario.LoadSimulations[0];
            await SimulateAsync(first.WarmUp(_scenario.WarmUpDuration), null, new Random(PhaseSeed(-1))).ConfigureAwait(false);
        }

        public async Task RunAsync()
        {
            var origin = Tracker!.Origin;
            LoadSimulation? previous = null;
            for (var i = 0; i < _scenario.LoadSimulations.Count && !_control.Stopping; i++)
            {
                var simulation = _scenario.LoadSimulations[i];
                var stats = await SimulateAsync(simulation, previous, new Random(PhaseSeed(i))).ConfigureAwait(false);
                lock (_phases)
                {
                    _simulations.Add(stats);
                    _current = null;
                }
                previous = simulation;
            }
            var end = Clock.Elapsed;
            Tracker.Finish(end);
            // Each phase lasts at least its planned time (an open phase whose last iteration ended before its end still
            // planned none after it), so the rates are per planned second, not per second until the last response; a
            // run stopped early lasted as long as it ran.
            var planned = TimeSpan.FromTicks(_simulations.Sum(s => s.Duration.Ticks));
            var elapsed = end - origin;
            _duration = elapsed > planned || _control.Aborted ? elapsed : planned;
        }

        public LoadResult Result()
        {
            var stats = Stats(Iterations, StepRecorders, _duration, [.. _simulations]) with { Intervals = Tracker!.Rows };
            var thresholds = _scenario.Thresholds.Select((threshold, i) =>
            {
                var failedAt = _failedAt[i] ?? (threshold.Check(stats) ? null : stats.Duration);
                return new ThresholdResult(threshold.Name, failedAt is null) { FailedAt = failedAt };
            }).ToList();
            return new LoadResult(stats, thresholds) { Aborted = _control.Aborted, AbortReason = _control.AbortReason };
        }

        private int PhaseSeed(int phase) => unchecked((_scenario.Seed * 397) ^ (phase + 1));

        private ScenarioStats Stats(OutcomeRecorder iterations, OutcomeRecorder[] steps, TimeSpan duration, IReadOnlyList<SimulationStats> simulations)
        {
            var (ok, fail) = iterations.Stats(duration);
            var stepStats = _scenario.Steps.Select((step, i) =>
            {
                var (stepOk, stepFail) = steps[i].Stats(duration);
                return new StepStats(step.Name, stepOk, stepFail);
            }).ToList();
            return new ScenarioStats(_scenario.Name, duration, ok, fail, stepStats, simulations);
        }

        // Under the tracker's lock, in interval order.
        private void OnIntervalClosed(IntervalStats row, bool last)
        {
            _options.OnInterval?.Invoke(row);
            var time = row.Start + row.Duration;
            if (last || _scenario.Thresholds.Count == 0)
            {
                // The end's check is made on the whole run.
                return;
            }
            List<SimulationStats> simulations;
            lock (_phases)
            {
                simulations = [.. _simulations];
                if (_current is { } phase)
                {
                    simulations.Add(phase.Stats(Tracker!.Origin + time - phase.Start));
                }
            }
            var soFar = Stats(Tracker!.SoFarIterations, Tracker.SoFarSteps, time, simulations);
            for (var i = 0; i < _scenario.Thresholds.Count; i++)
            {
                var threshold = _scenario.Thresholds[i];
                if (time < threshold.CheckStartsAfter || Passes(threshold, soFar))
                {
                    continue;
                }
                _failedAt[i] ??= time;
                if (threshold.AbortsRunWhenFailed)
                {
                    _control.Abort(string.Create(CultureInfo.InvariantCulture,
                        $"Threshold '{threshold.Name}' of scenario '{_scenario.Name}' failed at {time:c}."));
                }
            }
        }

        private static bool Passes(Threshold threshold, ScenarioStats stats)
        {
            try
            {
                return threshold.Check(stats);
            }
            catch (Exception)
            {
                return false;
            }
        }

        private async Task<SimulationStats> SimulateAsync(LoadSimulation simulation, LoadSimulation? previous, Random random)
        {
            var phaseStart = Clock.Elapsed;
            var counters = new PhaseCounters();
            long? planned = null;
            var endRatePerSecond = 0.0;
            var phase = new Phase(simulation, phaseStart, counters);
            // The intervals that ended by now belong to the phases before this one.
            Tracker?.AdvanceTo(phaseStart);
            lock (_phases)
            {
                _current = phase;
            }
            Tracker?.Simulation = simulation.ToString();
            switch (simulation.Kind)
            {
                case LoadSimulation.Model.Pause:
                    break;
                case LoadSimulation.Model.KeepConstant or LoadSimulation.Model.RampingConstant:
                    var previousCopies = previous?.EndCopies ?? 0;
                    await Copies(simulation.CopyCount(previousCopies), async copy =>
                    {
                        var (join, leave) = simulation.CopyWindow(previousCopies, copy);
                        if (join > TimeSpan.Zero && !await WaitAsync(phaseStart + join).ConfigureAwait(false))
                        {
                            return;
                        }
                        while (!_control.Stopping && Clock.Elapsed - phaseStart < leave)
                        {
                            var now = Clock.Elapsed;
                            await IterateAsync(now, now, counters).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
                    break;
                case LoadSimulation.Model.IterationsForConstant:
                    planned = simulation.Iterations;
                    phase.Planned = planned;
                    var taken = -1L;
                    await Copies(simulation.Copies, async _ =>
                    {
                        while (!_control.Stopping && Interlocked.Increment(ref taken) < simulation.Iterations)
                        {
                            var now = Clock.Elapsed;
                            await IterateAsync(now, now, counters).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
                    break;
                default:
                    var plan = simulation.Arrivals(_endRatePerSecond, random);
                    planned = plan.Count;
                    endRatePerSecond = plan.EndRatePerSecond;
                    phase.Planned = planned;
                    var next = -1L;
                    // Each connection (as in wrk2) takes the next planned start, waits for it if it is still to come, and
                    // runs the iteration; when every connection is busy, the next iteration starts late.
                    await Copies((int)Math.Min(simulation.MaxConcurrency, Math.Max(1, plan.Count)), async _ =>
                    {
                        long index;
                        while (!_control.Stopping && (index = Interlocked.Increment(ref next)) < plan.Count)
                        {
                            var intended = phaseStart + plan.Offset(index);
                            if (!await WaitAsync(intended).ConfigureAwait(false))
                            {
                                return;
                            }
                            await IterateAsync(intended, Clock.Elapsed, counters).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
                    break;
            }
            phase.Planned = planned;
            // Where a RampingInject after this phase starts from: an InjectRandom's last drawn rate, say.
            _endRatePerSecond = endRatePerSecond;
            // Measured before the wait below, whose own oversleeping is no part of the phase.
            var duration = Clock.Elapsed - phaseStart;
            // The phase lasts its planned time (the next one's arrivals must not come early), unless the run stops.
            if (await WaitAsync(phaseStart + simulation.During).ConfigureAwait(false))
            {
                duration = duration > simulation.During ? duration : simulation.During;
            }
            else
            {
                duration = Clock.Elapsed - phaseStart;
            }
            return phase.Stats(duration);
        }

        /// <summary>Waits until <paramref name="time"/>; false when the run stops first (or stopped meanwhile).</summary>
        private async ValueTask<bool> WaitAsync(TimeSpan time)
        {
            if (_control.Stopping)
            {
                _control.Caller.ThrowIfCancellationRequested();
                return false;
            }
            try
            {
                await Clock.DelayUntil(time, _control.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_control.Aborted && !_control.Caller.IsCancellationRequested)
            {
                return false;
            }
            // The intervals that ended during the wait close before anything after it is recorded, and a threshold that
            // fails at their end stops the run before the next iteration starts, whether or not the timer was prompt.
            Tracker?.AdvanceTo(Clock.Elapsed);
            return !_control.Stopping;
        }

        private Task Copies(int copies, Func<int, Task> loop)
        {
            if (copies == 0)
            {
                return Task.CompletedTask;
            }
            // For a virtual clock: the driver's turn passes to its copies while they run, and back to it from the last
            // one to end, so that the scenario never looks idle in between.
            Clock.TasksStarted(copies - 1);
            var running = copies;
            return Task.WhenAll(Enumerable.Range(1, copies).Select(copy => Task.Run(async () =>
            {
                try
                {
                    await loop(copy).ConfigureAwait(false);
                }
                finally
                {
                    if (Interlocked.Decrement(ref running) > 0)
                    {
                        Clock.TaskEnded();
                    }
                }
            })));
        }

        private async Task IterateAsync(TimeSpan intendedStart, TimeSpan actualStart, PhaseCounters counters)
        {
            var iteration = Interlocked.Increment(ref _nextIteration);
            if (actualStart - intendedStart > _scenario.LateTolerance)
            {
                Interlocked.Increment(ref counters.Late);
                Tracker?.RecordLate(actualStart);
            }
            var ok = true;
            var stepStart = actualStart;
            var end = actualStart;
            var size = 0L;
            var cancellationToken = _control.Caller;
            for (var i = 0; i < _scenario.Steps.Count; i++)
            {
                var step = _scenario.Steps[i];
                Response response;
                try
                {
                    var context = new StepContext(_scenario.Name, step.Name, iteration, intendedStart, Clock, cancellationToken) { IsWarmUp = _warmUp };
                    response = await step.Run(context).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    response = Response.Fail(message: e.Message);
                }
                end = Clock.Elapsed;
                // The wait before the iteration could start belongs to its first step; later steps start on time.
                var latency = end - (i == 0 ? intendedStart : stepStart);
                StepRecorders[i].Record(response.IsOk, latency, end - stepStart, response.SizeBytes);
                Tracker?.RecordStep(i, end, response.IsOk, latency, end - stepStart, response.SizeBytes);
                size += response.SizeBytes;
                stepStart = end;
                if (!response.IsOk)
                {
                    ok = false;
                    break;
                }
            }
            Iterations.Record(ok, end - intendedStart, end - actualStart, size);
            Tracker?.RecordIteration(end, ok, end - intendedStart, end - actualStart, size);
            Interlocked.Increment(ref counters.Count);
        }
    }

    /// <summary>A load simulation being run, for its statistics so far and at its end.</summary>
    private sealed class Phase(LoadSimulation simulation, TimeSpan start, PhaseCounters counters)
    {
        public TimeSpan Start { get; } = start;
        public long? Planned { get; set; }

        public SimulationStats Stats(TimeSpan duration)
        {
            var count = Interlocked.Read(ref counters.Count);
            return new SimulationStats(
                simulation.ToString(),
                duration,
                Planned,
                Planned is { } planned && simulation.During > TimeSpan.Zero ? planned / simulation.During.TotalSeconds : null,
                count,
                duration > TimeSpan.Zero ? count / duration.TotalSeconds : 0,
                Interlocked.Read(ref counters.Late));
        }
    }

    private sealed class PhaseCounters
    {
        public long Count;
        public long Late;
    }
}
