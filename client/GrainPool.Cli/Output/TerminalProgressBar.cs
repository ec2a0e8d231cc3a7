using System.Diagnostics;
using System.Globalization;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Output;

/// <summary>
/// A one-line progress bar on a terminal's standard error. Nothing is drawn for the first second (short jobs stay
/// quiet); after that it redraws at most ten times a second from the latest report, and <see cref="Dispose"/> erases it.
/// Reports come from worker threads and cost one lock; drawing happens on a timer thread.
/// </summary>
internal sealed class TerminalProgressBar : IProgress<RunProgress>, IDisposable
{
    private const int BarWidth = 30;
    private static readonly TimeSpan FirstDraw = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _error;
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private UInt128 _done;
    private UInt128 _total;
    private int _drawnLength;
    private bool _disposed;

    /// <summary>Starts the clock; the first draw comes one second from now.</summary>
    public TerminalProgressBar(TextWriter error)
    {
        _error = error;
        _timer = new Timer(_ => Draw(), null, FirstDraw, RedrawInterval);
    }

    /// <summary>Records progress; workers report out of order, so only a larger count moves the bar.</summary>
    public void Report(RunProgress value)
    {
        lock (_gate)
        {
            _total = value.Total;
            if (value.Done > _done)
            {
                _done = value.Done;
            }
        }
    }

    /// <summary>Stops drawing and erases the bar.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            if (_drawnLength > 0)
            {
                _error.Write("\r" + new string(' ', _drawnLength) + "\r");
                _error.Flush();
            }
        }
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Runners report per finished chunk, so the first report can take a while: show the clock until then.
            var fraction = _total == 0 ? 0 : Math.Clamp((double)_done / (double)_total, 0, 1);
            var filled = (int)(fraction * BarWidth);
            var counts = _total == 0 ? "working" : $"{TextFormat.Grouped(_done)} / {TextFormat.Grouped(_total)}";
            var line = string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('-', BarWidth - filled)}] {fraction * 100,5:0.0}%  {counts}  {_clock.Elapsed.TotalSeconds:0.0} s");
            _error.Write("\r" + line.PadRight(_drawnLength));
            _error.Flush();
            _drawnLength = Math.Max(_drawnLength, line.Length);
        }
    }
}
