using System.Diagnostics;
using System.Text;
using GrainPool.Cli.Output;
using GrainPool.Cli.Running;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Tests;

/// <summary>
/// The progress bar grainpool draws with Spectre.Console on a terminal's standard error: what it writes (on a
/// recording writer, waiting for its draws as events, never for a time), and when the program gives a job one.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ProgressBarTests
{
    private static readonly TimeSpan DrawDeadline = TimeSpan.FromSeconds(60);

    // Spectre.Console's erase of the bar's line and its re-showing of the cursor: the last thing the bar writes.
    private const string Erased = "\u001b[2K\u001b[?25h";

    [Fact]
    public async Task Before_any_report_the_bar_says_working()
    {
        var error = new RecordingWriter();

        var line = await JobProgressBar.RunAsync(error, TimeSpan.Zero, _ => error.NextWriteAsync(0, DrawDeadline, w => w.Contains("working", StringComparison.Ordinal)));

        Assert.Contains("0%", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_is_drawn_as_percent_and_grouped_counts()
    {
        var error = new RecordingWriter();

        var line = await JobProgressBar.RunAsync(error, TimeSpan.Zero, progress =>
        {
            progress.Report(new RunProgress(250_000, 1_000_000));
            return error.NextWriteAsync(0, DrawDeadline, w => w.Contains("250,000 / 1,000,000", StringComparison.Ordinal));
        });

        Assert.Contains("25%", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_smaller_count_reported_later_does_not_move_the_bar_back()
    {
        var error = new RecordingWriter();

        await JobProgressBar.RunAsync(error, TimeSpan.Zero, async progress =>
        {
            progress.Report(new RunProgress(600, 1000));
            progress.Report(new RunProgress(400, 1000)); // a worker whose chunk finished earlier reports late
            var drawn = await error.NextWriteAsync(0, DrawDeadline, w => w.Contains("600 / 1,000", StringComparison.Ordinal));
            Assert.Contains("60%", drawn, StringComparison.Ordinal);
            return drawn;
        });

        Assert.DoesNotContain(error.Writes, w => w.Contains("400 / 1,000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_bar_is_erased_when_the_job_ends_however_it_ends()
    {
        var done = new RecordingWriter();
        await JobProgressBar.RunAsync(done, TimeSpan.Zero, async progress =>
        {
            progress.Report(new RunProgress(1_234_567, 10_000_000));
            return await done.NextWriteAsync(0, DrawDeadline, w => w.Contains("1,234,567 / 10,000,000", StringComparison.Ordinal));
        });

        var failed = new RecordingWriter();
        await Assert.ThrowsAsync<OperationCanceledException>(() => JobProgressBar.RunAsync<int>(failed, TimeSpan.Zero, async progress =>
        {
            progress.Report(new RunProgress(1, 2));
            await failed.NextWriteAsync(0, DrawDeadline, w => w.Contains("1 / 2", StringComparison.Ordinal));
            throw new OperationCanceledException();
        }));

        Assert.EndsWith(Erased, done.Text, StringComparison.Ordinal);
        Assert.EndsWith(Erased, failed.Text, StringComparison.Ordinal);
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
        Assert.Equal(expectBar, progress is not null);
        if (expectBar)
        {
            // The job's report reaches the terminal as a bar.
            progress!.Report(new RunProgress(500_000_000_001, 1_000_000_000_001));
            var drawnAt = error.Count;
            // Spectre renders the columns one after another on its own thread, so a frame drawn while the report lands
            // can pair the new counts with the old percentage; a later frame (every 100 ms) shows both.
            var line = await error.NextWriteAsync(drawnAt, DrawDeadline, w => w.Contains("500,000,000,001 / 1,000,000,000,001", StringComparison.Ordinal) && w.Contains("50%", StringComparison.Ordinal));
            Assert.Contains("50%", line, StringComparison.Ordinal);
        }

        await cancellation.CancelAsync();
        Assert.Equal(130, await run.WaitAsync(DrawDeadline));
        var text = error.Text;
        Assert.EndsWith("grainpool: cancelled" + Environment.NewLine, text, StringComparison.Ordinal);
        if (expectBar)
        {
            // The bar is erased before the error line, which starts on a clean line.
            Assert.EndsWith(Erased + "grainpool: cancelled" + Environment.NewLine, text, StringComparison.Ordinal);
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
