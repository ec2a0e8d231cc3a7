namespace GrainPool.Client;

/// <summary>
/// A job's cancellation: the caller's token linked with the job's own <see cref="JobOptions.Timeout"/>. Every job kind
/// awaits its run through <see cref="AwaitAsync"/>, so a job stopped by its timeout alone (not by the caller) ends in
/// <see cref="JobTimeoutException"/> whichever way it was started.
/// </summary>
internal sealed class JobDeadline : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _caller;
    private readonly TimeSpan? _timeout;

    public JobDeadline(JobOptions options, CancellationToken caller)
    {
        _caller = caller;
        _timeout = options.Timeout;
        if (options.Timeout is { } timeout)
        {
            _timer = new CancellationTokenSource(timeout);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _timer.Token);
        }
        else
        {
            _linked = CancellationTokenSource.CreateLinkedTokenSource(caller);
        }
    }

    /// <summary>Cancelled by the caller, the timeout, or <see cref="CancelAsync"/>.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The job's timeout has passed and the caller had not cancelled first: the job ended by its timeout.</summary>
    public bool TimedOut => _timer is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

    /// <summary>Stops the job for another reason (a consumer that stopped reading early).</summary>
    public Task CancelAsync() => _linked.CancelAsync();

    /// <summary>
    /// Awaits the job's run; a cancellation caused by the timeout alone becomes <see cref="JobTimeoutException"/>
    /// with <paramref name="job"/> (what the job is) in its message.
    /// </summary>
    public async Task AwaitAsync(Task run, Func<string> job)
    {
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (TimedOut)
        {
            throw TimeoutError(job);
        }
    }

    /// <summary>The error of a job that <see cref="TimedOut"/>: <paramref name="job"/> (what the job is) and the timeout.</summary>
    public JobTimeoutException TimeoutError(Func<string> job) => new($"{job()} exceeded its timeout of {_timeout}.");

    public void Dispose()
    {
        _linked.Dispose();
        _timer?.Dispose();
    }
}
