using HdrHistogram;

namespace GrainPool.Load;

/// <summary>Collects the ok and failed latencies of one step or of whole iterations, from any thread.</summary>
internal sealed class OutcomeRecorder
{
    private readonly Outcome _ok = new();
    private readonly Outcome _fail = new();

    public void Record(bool ok, TimeSpan latency, TimeSpan serviceTime, long sizeBytes)
    {
        var outcome = ok ? _ok : _fail;
        lock (outcome)
        {
            outcome.Latency.RecordValue(Microseconds(latency));
            outcome.ServiceTime.RecordValue(Microseconds(serviceTime));
            outcome.SizeBytes += sizeBytes;
        }
    }

    /// <summary>How many were recorded, ok and failed.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (var outcome in new[] { _ok, _fail })
            {
                lock (outcome)
                {
                    count += outcome.Latency.TotalCount;
                }
            }
            return count;
        }
    }

    /// <summary>Forgets everything recorded, keeping the histograms' memory for reuse.</summary>
    public void Reset()
    {
        foreach (var outcome in new[] { _ok, _fail })
        {
            lock (outcome)
            {
                outcome.Latency.Reset();
                outcome.ServiceTime.Reset();
                outcome.SizeBytes = 0;
            }
        }
    }

    /// <summary>Adds everything <paramref name="other"/> recorded (an interval's into the run's so far).</summary>
    public void Add(OutcomeRecorder other)
    {
        foreach (var (into, from) in new[] { (_ok, other._ok), (_fail, other._fail) })
        {
            lock (from)
            {
                lock (into)
                {
                    into.Latency.Add(from.Latency);
                    into.ServiceTime.Add(from.ServiceTime);
                    into.SizeBytes += from.SizeBytes;
                }
            }
        }
    }

    public (OutcomeStats Ok, OutcomeStats Fail) Stats(TimeSpan duration) => (_ok.Stats(duration), _fail.Stats(duration));

    // Microseconds up to an hour, 3 significant digits: 1 us resolution below 1 ms, 0.1% above.
    private const long HighestMicroseconds = 3_600_000_000;

    private static long Microseconds(TimeSpan time) => Math.Clamp(time.Ticks / TimeSpan.TicksPerMicrosecond, 0, HighestMicroseconds);

    private sealed class Outcome
    {
        public LongHistogram Latency { get; } = new(HighestMicroseconds, 3);
        public LongHistogram ServiceTime { get; } = new(HighestMicroseconds, 3);
        public long SizeBytes { get; set; }

        public OutcomeStats Stats(TimeSpan duration)
        {
            lock (this)
            {
                var count = Latency.TotalCount;
                return new OutcomeStats(
                    count, duration > TimeSpan.Zero ? count / duration.TotalSeconds : 0, Of(Latency), Of(ServiceTime), SizeBytes);
            }
        }

        private static LatencyStats Of(LongHistogram histogram)
        {
            if (histogram.TotalCount == 0)
            {
                return new LatencyStats(0, 0, 0, 0, 0, 0, 0);
            }
            static double Ms(double microseconds) => microseconds / 1000.0;
            return new LatencyStats(
                Ms(histogram.GetMean()),
                Ms(histogram.GetValueAtPercentile(50)),
                Ms(histogram.GetValueAtPercentile(75)),
                Ms(histogram.GetValueAtPercentile(95)),
                Ms(histogram.GetValueAtPercentile(99)),
                Ms(histogram.GetValueAtPercentile(99.9)),
                Ms(histogram.GetMaxValue()))
            {
                Distribution = [.. LatencyStats.DistributionPercentiles.Select(p =>
                    new PercentileValue(p, Ms(p >= 100 ? histogram.GetMaxValue() : histogram.GetValueAtPercentile(p))))],
            };
        }
    }
}
