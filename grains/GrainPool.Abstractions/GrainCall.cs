namespace GrainPool.Abstractions;

/// <summary>
/// Grain calls with a time limit that cancels the call itself: Orleans forgets a cancelled call at once, where a
/// <see cref="Task.WaitAsync(TimeSpan)"/> leaves it pending until the response timeout (30 s by default).
/// </summary>
public static class GrainCall
{
    /// <summary>Runs <paramref name="call"/> with a token cancelled after <paramref name="limit"/>; over it, <see cref="TimeoutException"/>.</summary>
    public static async Task<T> WithinAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            return await call(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer within {limit.TotalSeconds:0.###} s.", ex);
        }
    }

    /// <summary>Runs <paramref name="call"/> with a token cancelled after <paramref name="limit"/>; over it, <see cref="TimeoutException"/>.</summary>
    public static Task WithinAsync(Func<CancellationToken, Task> call, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        return WithinAsync(async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, limit, cancellationToken);
    }
}
