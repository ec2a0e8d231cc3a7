namespace GrainPool.Load;

/// <summary>Runs a scenario's load simulations one after another and measures every iteration.</summary>
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
    public static async Task<LoadResult> RunAsync(Scenario scenario, LoadClock? clock = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.Steps.Count == 0)
        {
            throw new ArgumentException($"Scenario '{scenario.Name}' has no steps.", nameof(scenario));
        }
        var run = new Run(scenario, clock ?? LoadClock.Real, cancellationToken);
        if (scenario.Init is { } init)
        {
            await init(cancellationToken).ConfigureAwait(false);
        }
        var simulations = new List<SimulationStats>();
        var start = run.Clock.Elapsed;
        try
        {
            var previousRate = 0.0;
            foreach (var simulation in scenario.LoadSimulations)
            {
                simulations.Add(await run.SimulateAsync(simulation, previousRate).ConfigureAwait(false));
                previousRate = simulation.EndRatePerSecond;
            }
        }
        finally
        {
            if (scenario.Clean is { } clean)
            {
                await clean(cancellationToken).ConfigureAwait(false);
            }
        }
        // Each phase lasts at least its planned time (an open phase whose last iteration ended before its end still
        // planned none after it), so the rates are per planned second, not per second until the last response.
        var planned = TimeSpan.FromTicks(simulations.Sum(s => s.Duration.Ticks));
        var elapsed = run.Clock.Elapsed - start;
        var duration = elapsed > planned ? elapsed : planned;
        var (ok, fail) = run.Iterations.Stats(duration);
        var steps = scenario.Steps.Select((step, i) =>
        {
            var (stepOk, stepFail) = run.StepRecorders[i].Stats(duration);
            return new StepStats(step.Name, stepOk, stepFail);
        }).ToList();
        var stats = new ScenarioStats(scenario.Name, duration, ok, fail, steps, simulations);
        return new LoadResult(stats, [.. scenario.Thresholds.Select(t => new ThresholdResult(t.Name, t.Check(stats)))]);
    }

    private sealed class Run(Scenario scenario, LoadClock clock, CancellationToken cancellationToken)
    {
        private long _nextIteration = -1;

        public LoadClock Clock { get; } = clock;
        public OutcomeRecorder Iterations { get; } = new();
        public OutcomeRecorder[] StepRecorders { get; } = [.. scenario.Steps.Select(_ => new OutcomeRecorder())];

        public async Task<SimulationStats> SimulateAsync(LoadSimulation simulation, double previousRatePerSecond)
        {
            var phaseStart = Clock.Elapsed;
            var counters = new PhaseCounters();
            long? planned = null;
            switch (simulation.Kind)
            {
                case LoadSimulation.Model.Pause:
                    await Clock.DelayUntil(phaseStart + simulation.During, cancellationToken).ConfigureAwait(false);
                    break;
                case LoadSimulation.Model.KeepConstant:
                    await Copies(simulation.Copies, async () =>
                    {
                        while (!cancellationToken.IsCancellationRequested && Clock.Elapsed - phaseStart < simulation.During)
                        {
                            var now = Clock.Elapsed;
                            await IterateAsync(now, now, counters).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
                    break;
                case LoadSimulation.Model.IterationsForConstant:
                    planned = simulation.Iterations;
                    var taken = -1L;
                    await Copies(simulation.Copies, async () =>
                    {
                        while (!cancellationToken.IsCancellationRequested && Interlocked.Increment(ref taken) < simulation.Iterations)
                        {
                            var now = Clock.Elapsed;
                            await IterateAsync(now, now, counters).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
                    break;
                default:
                    var perSecond = simulation.Rate / simulation.Interval.TotalSeconds;
                    var plan = new ArrivalPlan(
                        simulation.Kind == LoadSimulation.Model.Inject ? perSecond : previousRatePerSecond, perSecond, simulation.During);
                    planned = plan.Count;
                    var next = -1L;
                    // Each connection (as in wrk2) takes the next planned start, waits for it if it is still to come, and
                    // runs the iteration; when every connection is busy, the next iteration starts late.
                    await Copies((int)Math.Min(simulation.MaxConcurrency, Math.Max(1, plan.Count)), async () =>
                    {
                        long index;
                        while (!cancellationToken.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < plan.Count)
                        {
                            var intended = phaseStart + plan.Offset(index);
                            await Clock.DelayUntil(intended, cancellationToken).ConfigureAwait(false);
                            await IterateAsync(intended, Clock.Elapsed, counters).ConfigureAwait(false);
                        }
                    }).ConfigureAwait(false);
                    break;
            }
            // Measured before the wait below, whose own oversleeping is no part of the phase.
            var duration = Clock.Elapsed - phaseStart;
            // The phase lasts its planned time: the next one's arrivals must not come early.
            await Clock.DelayUntil(phaseStart + simulation.During, cancellationToken).ConfigureAwait(false);
            if (duration < simulation.During)
            {
                duration = simulation.During;
            }
            return new SimulationStats(
                simulation.ToString(),
                duration,
                planned,
                planned is { } count && simulation.During > TimeSpan.Zero ? count / simulation.During.TotalSeconds : null,
                counters.Count,
                duration > TimeSpan.Zero ? counters.Count / duration.TotalSeconds : 0,
                counters.Late);
        }

        private static Task Copies(int copies, Func<Task> loop) =>
            Task.WhenAll(Enumerable.Range(0, copies).Select(_ => Task.Run(loop)));

        private async Task IterateAsync(TimeSpan intendedStart, TimeSpan actualStart, PhaseCounters counters)
        {
            var iteration = Interlocked.Increment(ref _nextIteration);
            if (actualStart - intendedStart > scenario.LateTolerance)
            {
                Interlocked.Increment(ref counters.Late);
            }
            var ok = true;
            var stepStart = actualStart;
            var end = actualStart;
            var size = 0L;
            for (var i = 0; i < scenario.Steps.Count; i++)
            {
                var step = scenario.Steps[i];
                Response response;
                try
                {
                    response = await step.Run(new StepContext(scenario.Name, step.Name, iteration, intendedStart, Clock, cancellationToken))
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    response = Response.Fail(message: e.Message);
                }
                end = Clock.Elapsed;
                // The wait before the iteration could start belongs to its first step; later steps start on time.
                StepRecorders[i].Record(response.IsOk, end - (i == 0 ? intendedStart : stepStart), end - stepStart, response.SizeBytes);
                size += response.SizeBytes;
                stepStart = end;
                if (!response.IsOk)
                {
                    ok = false;
                    break;
                }
            }
            Iterations.Record(ok, end - intendedStart, end - actualStart, size);
            Interlocked.Increment(ref counters.Count);
        }
    }

    private sealed class PhaseCounters
    {
        public long Count;
        public long Late;
    }
}
