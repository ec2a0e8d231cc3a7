using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GrainPool.Client;

/// <summary>
/// The client library's meter, <see cref="MeterName"/>: jobs started, completed, failed and cancelled, items done,
/// job durations and chunks in flight, tagged by kernel and job kind (never by job). A program exports it by adding
/// the meter to its OpenTelemetry setup (the CLI does with <c>--metrics-port</c>).
/// </summary>
public static class ClientMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "GrainPool.Client";

    /// <summary>Histogram bucket bounds (seconds) for job durations: 10 ms .. 1 h.</summary>
    public static readonly IReadOnlyList<double> JobDurationBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private static readonly Meter Meter = new(MeterName, typeof(ClientMetrics).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> JobsStarted = Meter.CreateCounter<long>("grainpool.client.jobs.started", "{job}", "Jobs this client started, by kernel and kind (range, map, map-unordered, map-stream, submit)");
    internal static readonly Counter<long> JobsCompleted = Meter.CreateCounter<long>("grainpool.client.jobs.completed", "{job}", "Jobs that delivered every result");
    internal static readonly Counter<long> JobsFailed = Meter.CreateCounter<long>("grainpool.client.jobs.failed", "{job}", "Jobs that ended with an error, by error kind (exception type; JobTimeoutException for a job past its timeout)");
    internal static readonly Counter<long> JobsCancelled = Meter.CreateCounter<long>("grainpool.client.jobs.cancelled", "{job}", "Jobs stopped by the caller's cancellation or by a consumer that stopped reading");
    internal static readonly UpDownCounter<long> JobsRunning = Meter.CreateUpDownCounter<long>("grainpool.client.jobs.running", "{job}", "Jobs running now");
    internal static readonly Counter<long> Items = Meter.CreateCounter<long>("grainpool.client.items", "{item}", "Items (maps) or numbers (range jobs) whose results reached this client; its rate is items per second");
    internal static readonly UpDownCounter<long> ChunksInFlight = Meter.CreateUpDownCounter<long>("grainpool.client.chunks.in_flight", "{chunk}", "Chunks sent to workers and not yet returned (running or queued at a worker)");
    internal static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>(
        "grainpool.client.job.duration",
        "s",
        "Wall time of a job from its call to its last result, by kernel, kind and outcome (completed, failed, timed_out, cancelled)",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = JobDurationBuckets });
}

/// <summary>One job's metrics, from start to its one outcome.</summary>
internal sealed class JobMetrics
{
    private readonly string _kernel;
    private readonly string _kind;
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _finished;

    private JobMetrics(string kernel, string kind)
    {
        _kernel = kernel;
        _kind = kind;
        ClientMetrics.JobsStarted.Add(1, Tags);
        ClientMetrics.JobsRunning.Add(1, Tags);
    }

    private TagList Tags => new() { { "kernel", _kernel }, { "kind", _kind } };

    public static JobMetrics Start(string kernel, string kind) => new(kernel, kind);

    public void ItemsDone(long items) => ClientMetrics.Items.Add(items, new KeyValuePair<string, object?>("kernel", _kernel));

    public void ChunkSent() => ClientMetrics.ChunksInFlight.Add(1, new KeyValuePair<string, object?>("kernel", _kernel));

    public void ChunkReturned() => ClientMetrics.ChunksInFlight.Add(-1, new KeyValuePair<string, object?>("kernel", _kernel));

    public void Completed() => Finish("completed", null);

    public void Cancelled() => Finish("cancelled", null);

    /// <summary>
    /// Records the outcome that <paramref name="error"/> means, the same for every job kind: a cancellation (the
    /// caller's token, or a consumer that stopped reading), a timeout (<see cref="JobTimeoutException"/>: counted as a
    /// failure of that type, with its own duration outcome), or a failure of its type (an Orleans response timeout that
    /// outlived the retries is a failure).
    /// </summary>
    public void Ended(Exception error) =>
        Finish(error switch
        {
            JobTimeoutException => "timed_out",
            OperationCanceledException => "cancelled",
            _ => "failed",
        }, error.GetType().Name);

    private void Finish(string outcome, string? error)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        var tags = Tags;
        ClientMetrics.JobsRunning.Add(-1, tags);
        switch (outcome)
        {
            case "completed":
                ClientMetrics.JobsCompleted.Add(1, tags);
                break;
            case "cancelled":
                ClientMetrics.JobsCancelled.Add(1, tags);
                break;
            default:
                var failed = tags;
                failed.Add("error", error);
                ClientMetrics.JobsFailed.Add(1, failed);
                break;
        }

        tags.Add("outcome", outcome);
        ClientMetrics.JobDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
    }
}
