using GrainPool.Kernels.Running;
using Spectre.Console;

namespace GrainPool.Cli.Output;

/// <summary>
/// A job's progress bar on a terminal's standard error, drawn by Spectre.Console: the bar, the percentage, the counts
/// done and in all, and the time taken. Nothing is drawn for the first second (short jobs stay quiet); the bar is erased
/// when the job ends, however it ends, so an error line after it starts on a clean line.
/// </summary>
internal static class JobProgressBar
{
    private static readonly TimeSpan FirstDraw = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="job"/> with a progress reporter that draws on <paramref name="terminal"/>.</summary>
    public static Task<T> RunAsync<T>(TextWriter terminal, Func<IProgress<RunProgress>, Task<T>> job) =>
        RunAsync(terminal, FirstDraw, job);

    /// <summary>As <see cref="RunAsync{T}(TextWriter, Func{IProgress{RunProgress}, Task{T}})"/>, drawing from <paramref name="firstDraw"/> on.</summary>
    public static Task<T> RunAsync<T>(TextWriter terminal, TimeSpan firstDraw, Func<IProgress<RunProgress>, Task<T>> job)
    {
        // Only ever made for a terminal, so ANSI and redrawing are on whatever the writer looks like.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(terminal),
        });
        // No blank lines around the bar: nothing shows until the bar is added.
        var progress = console.Progress();
        progress.ExcludeVerticalPadding = true;
        return progress
            .AutoClear(true)
            .Columns(new ProgressBarColumn(), new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                using var reporter = new Reporter(context, firstDraw);
                return await job(reporter);
            });
    }

    /// <summary>
    /// Takes the runner's reports (from worker threads, out of order: only a larger count moves the bar) and adds the
    /// bar to the display once the first second is over.
    /// </summary>
    private sealed class Reporter : IProgress<RunProgress>, IDisposable
    {
        private readonly Lock _gate = new();
        private readonly ProgressContext _context;
        private readonly Timer _timer;
        private ProgressTask? _task;
        private UInt128 _done;
        private UInt128 _total;

        public Reporter(ProgressContext context, TimeSpan firstDraw)
        {
            _context = context;
            _timer = new Timer(_ => Show(), null, firstDraw, Timeout.InfiniteTimeSpan);
        }

        public void Report(RunProgress value)
        {
            lock (_gate)
            {
                _total = value.Total;
                if (value.Done > _done)
                {
                    _done = value.Done;
                }

                Update();
            }
        }

        public void Dispose() => _timer.Dispose();

        private void Show()
        {
            lock (_gate)
            {
                _task ??= _context.AddTask("working", maxValue: 1);
                Update();
            }
        }

        private void Update()
        {
            if (_task is null || _total == 0)
            {
                return; // runners report per finished chunk, so the first report can take a while: "working" until then
            }

            _task.MaxValue = (double)_total;
            _task.Value = (double)_done;
            _task.Description = $"{TextFormat.Grouped(_done)} / {TextFormat.Grouped(_total)}";
        }
    }
}
