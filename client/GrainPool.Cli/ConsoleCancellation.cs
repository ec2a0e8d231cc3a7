namespace GrainPool.Cli;

/// <summary>Turns the first Ctrl+C into a cancelled token; a second Ctrl+C ends the process the default way.</summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    /// <summary>Starts listening for Ctrl+C.</summary>
    public ConsoleCancellation() => Console.CancelKeyPress += OnCancelKeyPress;

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // Keep the process alive for the first press so that the application can clear its progress bar,
        // print its one line and exit with 130; a user pressing again wants out now.
        if (!_source.IsCancellationRequested)
        {
            e.Cancel = true;
            _source.Cancel();
        }
    }
}
