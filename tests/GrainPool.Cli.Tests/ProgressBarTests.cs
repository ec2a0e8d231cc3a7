using System.Diagnostics;
using System.Text;
using GrainPool.Cli.Output;
using GrainPool.Cli.Running;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Tests;

/// <summary>
/// The progress bar grainpool draws on a terminal's standard error: what it writes (on a recording writer, waiting
/// for its timer's draws as events, never for a time), and when the program gives a job one.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ProgressBarTests
{
    private static readonly TimeSpan DrawDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Before_any_report_the_bar_is_empty_and_says_working()
    {
        var error = new RecordingWriter();
        using var bar = new TerminalProgressBar(error);

        var line = await error.NextWriteAsync(0, DrawDeadline);

        Assert.Matches(@"^\r\[-{30}\]   0\.0%  working  [0-9]+\.[0-9] s$", line);
    }

    [Fact]
    public async Task A_report_is_drawn_as_filled_cells_percent_grouped_counts_and_seconds()
    {
        var error = new RecordingWriter();
        using var bar = new TerminalProgressBar(error);

        bar.Report(new RunProgress(250_000, 1_000_000));
        var line = await error.NextWriteAsync(error.Count, DrawDeadline);

        // 25% of 30 cells: 7 filled (rounded down).
        Assert.Matches(@"^\r\[#{7}-{23}\]  25\.0%  250,000 / 1,000,000  [0-9]+\.[0-9] s$", line);
    }

    [Fact]
    public async Task A_smaller_count_reported_later_does_not_move_the_bar_back()
    {
        var error = new RecordingWriter();
        using var bar = new TerminalProgressBar(error);

        bar.Report(new RunProgress(600, 1000));
        bar.Report(new RunProgress(400, 1000)); // a worker whose chunk finished earlier reports late
        var line = await error.NextWriteAsync(error.Count, DrawDeadline);

        Assert.Matches(@"^\r\[#{18}-{12}\]  60\.0%  600 / 1,000  [0-9]+\.[0-9] s$", line);
    }

    [Fact]
    public async Task Dispose_erases_the_longest_line_drawn_and_returns_to_the_line_start()
    {
        var error = new RecordingWriter();
        var bar = new TerminalProgressBar(error);
        bar.Report(new RunProgress(1_234_567, 10_000_000));
        await error.NextWriteAsync(error.Count, DrawDeadline);

        bar.Dispose();

        var writes = error.Writes;
        // Every draw is "\r" and the line padded to the longest drawn so far; the erase blanks that many cells.
        var longest = writes.Take(writes.Count - 1).Max(w => w.Length - 1);
        Assert.Equal("\r" + new string(' ', longest) + "\r", writes[^1]);
        Assert.All(writes.Take(writes.Count - 1), w => Assert.StartsWith("\r[", w, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    [InlineData(false, false, false)]
    public async Task The_program_gives_a_job_a_progress_bar_only_on_a_terminal_and_not_with_json(bool errorIsTerminal, bool json, bool expectBar)
    {
        var runner = new BlockingRunner();
        var error = new RecordingWriter();
        var app = new CliApplication(new CliConsole(new MemoryStream(), error, errorIsTerminal), (_, _) => Task.FromResult<IJobRunner>(runner));
        using var cancellation = new CancellationTokenSource();

        var run = app.RunAsync(json ? ["primes", "count", "--to", "1e12", "--json"] : ["primes", "count", "--to", "1e12"], cancellation.Token);
        var progress = await runner.Started.WaitAsync(DrawDeadline);
        Assert.Equal(expectBar, progress is TerminalProgressBar);
        if (expectBar)
        {
            // The job's report reaches the terminal as a bar.
            progress!.Report(new RunProgress(500_000_000_001, 1_000_000_000_001));
            var drawnAt = error.Count;
            var line = await error.NextWriteAsync(drawnAt, DrawDeadline, w => w.Contains("500,000,000,001 / 1,000,000,000,001", StringComparison.Ordinal));
            Assert.Matches(@"^\r\[#{15}-{15}\]  50\.0%  500,000,000,001 / 1,000,000,000,001  [0-9]+\.[0-9] s", line);
        }

        await cancellation.CancelAsync();
        Assert.Equal(130, await run.WaitAsync(DrawDeadline));
        var text = error.Text;
        Assert.EndsWith("grainpool: cancelled" + Environment.NewLine, text, StringComparison.Ordinal);
        if (expectBar)
        {
            // The bar is erased before the error line, which starts on a clean line.
            Assert.Matches(@"\r +\rgrainpool: cancelled\r?\n$", text);
        }
        else
        {
            Assert.Equal("grainpool: cancelled" + Environment.NewLine, text);
        }
    }

    /// <summary>A thread-safe writer that keeps each Write call's text and signals every write.</summary>
    private sealed class RecordingWriter : TextWriter
    {
        private readonly Lock _gate = new();
        private readonly List<string> _writes = [];
        private readonly StringBuilder _pendingChars = new();
        private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Encoding Encoding => Encoding.UTF8;

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _writes.Count;
                }
            }
        }

        public IReadOnlyList<string> Writes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _writes];
                }
            }
        }

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return string.Concat(_writes) + _pendingChars;
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                _pendingChars.Append(value);
            }
        }

        public override void Write(string? value) => Add(value ?? string.Empty);

        public override void WriteLine(string? value) => Add((value ?? string.Empty) + NewLine);

        public override void Flush()
        {
            lock (_gate)
            {
                if (_pendingChars.Length > 0)
                {
                    var text = _pendingChars.ToString();
                    _pendingChars.Clear();
                    AddLocked(text);
                }
            }
        }

        /// <summary>Waits for a write with index at least <paramref name="from"/> (matching <paramref name="match"/>); returns it.</summary>
        public async Task<string> NextWriteAsync(int from, TimeSpan within, Func<string, bool>? match = null)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                Task written;
                lock (_gate)
                {
                    for (var i = from; i < _writes.Count; i++)
                    {
                        if (match is null || match(_writes[i]))
                        {
                            return _writes[i];
                        }
                    }

                    written = _written.Task;
                }

                var left = within - clock.Elapsed;
                Assert.True(left > TimeSpan.Zero, $"no matching write within {within.TotalSeconds:0} s; writes: {string.Join(" | ", Writes)}");
                await Task.WhenAny(written, Task.Delay(left));
            }
        }

        private void Add(string text)
        {
            lock (_gate)
            {
                AddLocked(text);
            }
        }

        private void AddLocked(string text)
        {
            _writes.Add(text);
            var written = _written;
            _written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            written.SetResult();
        }
    }
}
