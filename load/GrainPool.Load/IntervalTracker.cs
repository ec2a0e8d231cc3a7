namespace GrainPool.Load;

/// <summary>
/// A scenario's per-interval recorders, swapped at each reporting interval's end under one lock. An iteration or step
/// call counts in the interval it ended in, a late start in the interval it started in. An interval is closed by the
/// run's timer on its clock, or earlier by the first event at or after its end (so that the timer's own lateness on a
/// real clock moves nothing into the wrong interval, and a virtual clock gives exact rows). Each closed interval is
/// added into the statistics so far, which the thresholds are checked on.
/// </summary>
internal sealed class IntervalTracker
{
    private readonly Lock _gate = new();
    private readonly string _scenario;
    private readonly IReadOnlyList<string> _stepNames;
    private readonly TimeSpan _origin;
    private readonly TimeSpan _interval;
    private readonly Action<IntervalStats, bool> _closed;
    private readonly List<IntervalStats> _rows = [];
    private OutcomeRecorder _iterations = new();
    private OutcomeRecorder[] _steps;
    // The recorders of the interval closed last, emptied: the next interval's (large histograms, allocated twice only).
    private OutcomeRecorder _spareIterations = new();
    private OutcomeRecorder[] _spareSteps;
    private long _late;
    private int _index;
    private bool _finished;

    /// <param name="scenario">The scenario's name.</param>
    /// <param name="stepNames">Its steps' names, in order.</param>
    /// <param name="origin">The measured load's start on the run's clock.</param>
    /// <param name="interval">The reporting interval.</param>
    /// <param name="closed">Told each closed interval (under the lock, in order) and whether it is the last, partial one.</param>
    public IntervalTracker(string scenario, IReadOnlyList<string> stepNames, TimeSpan origin, TimeSpan interval, Action<IntervalStats, bool> closed)
    {
        _scenario = scenario;
        _stepNames = stepNames;
        _origin = origin;
        _interval = interval;
        _closed = closed;
        _steps = NewStepRecorders();
        _spareSteps = NewStepRecorders();
        SoFarSteps = NewStepRecorders();
    }

    /// <summary>The measured load's start on the run's clock.</summary>
    public TimeSpan Origin => _origin;

    /// <summary>The simulation now running, named in the rows.</summary>
    public string Simulation { get; set; } = "";

    /// <summary>The whole iterations of the closed intervals.</summary>
    public OutcomeRecorder SoFarIterations { get; } = new();

    /// <summary>Each step's calls in the closed intervals.</summary>
    public OutcomeRecorder[] SoFarSteps { get; }

    /// <summary>The closed intervals, in order.</summary>
    public IReadOnlyList<IntervalStats> Rows
    {
        get
        {
            lock (_gate)
            {
                return [.. _rows];
            }
        }
    }

    public void RecordIteration(TimeSpan end, bool ok, TimeSpan latency, TimeSpan serviceTime, long sizeBytes)
    {
        lock (_gate)
        {
            CloseUntil(end);
            _iterations.Record(ok, latency, serviceTime, sizeBytes);
        }
    }

    public void RecordStep(int step, TimeSpan end, bool ok, TimeSpan latency, TimeSpan serviceTime, long sizeBytes)
    {
        lock (_gate)
        {
            CloseUntil(end);
            _steps[step].Record(ok, latency, serviceTime, sizeBytes);
        }
    }

    public void RecordLate(TimeSpan start)
    {
        lock (_gate)
        {
            CloseUntil(start);
            _late++;
        }
    }

    /// <summary>Closes every interval that ended at or before <paramref name="time"/>.</summary>
    public void AdvanceTo(TimeSpan time)
    {
        lock (_gate)
        {
            CloseUntil(time);
        }
    }

    /// <summary>
    /// Closes the intervals up to <paramref name="end"/>, the last one partial; later calls change nothing. When the
    /// run ends exactly at an interval's end, what ended at that very time is in a last row of zero length (so that
    /// the rows always sum to the whole run); when nothing did, there is no such row.
    /// </summary>
    public void Finish(TimeSpan end)
    {
        lock (_gate)
        {
            CloseUntil(end);
            if (!_finished && (end > Start(_index) || _late > 0 || _iterations.Count > 0 || _steps.Any(s => s.Count > 0)))
            {
                // Never negative: on a real clock the timer may close the interval ending just after the end it read.
                Close(end > Start(_index) ? end - Start(_index) : TimeSpan.Zero, last: true);
            }
            _finished = true;
        }
    }

    private TimeSpan Start(int index) => _origin + TimeSpan.FromTicks(_interval.Ticks * index);

    private void CloseUntil(TimeSpan time)
    {
        while (!_finished && Start(_index + 1) <= time)
        {
            Close(_interval, last: false);
        }
    }

    private void Close(TimeSpan duration, bool last)
    {
        var (iterations, steps, late) = (_iterations, _steps, _late);
        (_iterations, _steps, _late) = (_spareIterations, _spareSteps, 0);
        var (ok, fail) = iterations.Stats(duration);
        var row = new IntervalStats(
            _scenario,
            _index,
            Start(_index) - _origin,
            duration,
            Simulation,
            ok,
            fail,
            [.. _stepNames.Select((name, i) =>
            {
                var (stepOk, stepFail) = steps[i].Stats(duration);
                return new StepStats(name, stepOk, stepFail);
            })],
            late);
        SoFarIterations.Add(iterations);
        iterations.Reset();
        for (var i = 0; i < steps.Length; i++)
        {
            SoFarSteps[i].Add(steps[i]);
            steps[i].Reset();
        }
        (_spareIterations, _spareSteps) = (iterations, steps);
        _rows.Add(row);
        _index++;
        _closed(row, last);
    }

    private OutcomeRecorder[] NewStepRecorders() => [.. _stepNames.Select(_ => new OutcomeRecorder())];
}
