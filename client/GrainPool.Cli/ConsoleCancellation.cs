using System.Runtime.InteropServices;

namespace GrainPool.Cli;

/// <summary>
/// Turns the first Ctrl+C (or SIGTERM) into a cancelled token, so that the command stops and whatever it started
/// (silo processes, the embedded silo) is stopped before the process exits; a second one ends the process the default way.
/// </summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration? _terminate;

    /// <summary>Starts listening for Ctrl+C and SIGTERM.</summary>
    public ConsoleCancellation()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        try
        {
            _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
        }
        catch (PlatformNotSupportedException)
        {
            // No SIGTERM here: Ctrl+C is the only way in.
        }
    }

    /// <summary>Cancelled when the user presses Ctrl+C or the process gets SIGTERM.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate?.Dispose();
        _source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        // Keep the process alive for the first press so that the application can clear its progress bar, stop what it
        // started, print its one line and exit with 130; a user pressing again wants out now.
        if (!_source.IsCancellationRequested)
        {
            e.Cancel = true;
            _source.Cancel();
        }
    }

    private void OnTerminate(PosixSignalContext context)
    {
        if (!_source.IsCancellationRequested)
        {
            context.Cancel = true;
            _source.Cancel();
        }
    }
}
