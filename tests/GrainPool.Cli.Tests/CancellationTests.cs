using System.Diagnostics;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Tests;

[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class CancellationTests
{
    [Fact]
    public async Task Cancelling_a_running_job_prints_one_line_and_returns_130()
    {
        var runner = new BlockingRunner();
        var (app, stdout, stderr) = CreateApplication(_ => runner);
        using var cancellation = new CancellationTokenSource();

        var run = app.RunAsync(["primes", "count", "--to", "1e12"], cancellation.Token);
        await runner.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();
        var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(130, exitCode);
        Assert.Equal(0, stdout.Length);
        Assert.Equal(["grainpool: cancelled"], Lines(stderr));
    }

    [Fact]
    public async Task A_cluster_that_fails_while_being_stopped_by_ctrl_c_is_still_cancelled_with_exit_130()
    {
        // An embedded silo cancelled before it runs refuses to shut down with this exception; the user still pressed Ctrl+C.
        using var cancellation = new CancellationTokenSource();
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var app = new CliApplication(new CliConsole(stdout, stderr, ErrorIsTerminal: false), async (_, token) =>
        {
            await cancellation.CancelAsync();
            throw new InvalidOperationException("Attempted to shutdown a silo which is not in the Running state.");
        });

        var exitCode = await app.RunAsync(["primes", "count", "--to", "1e12"], cancellation.Token);

        Assert.Equal(130, exitCode);
        Assert.Equal(0, stdout.Length);
        Assert.Equal(["grainpool: cancelled"], Lines(stderr));
    }

    [Fact]
    public async Task Kernel_exception_that_slips_through_is_one_line_and_exit_2()
    {
        var failure = new ArgumentOutOfRangeException("last", 42UL, "The kernel refused this value.\nSecond line.");
        var (app, stdout, stderr) = CreateApplication(_ => new AnsweringRunner(failure));

        var exitCode = await app.RunAsync(["square-sum", "--n", "100"], CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Equal(0, stdout.Length);
        var line = Assert.Single(Lines(stderr));
        Assert.StartsWith("grainpool: error: last: '42' The kernel refused this value.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_map_item_is_one_line_and_exit_2()
    {
        var failure = new ItemFailedException(3, 4L, new ArgumentException("bad item"));
        var (app, _, stderr) = CreateApplication(_ => new AnsweringRunner(failure));

        Assert.Equal(2, await app.RunAsync(["primes", "map", "--upto", "10"], CancellationToken.None));
        Assert.Single(Lines(stderr));
    }

    // Sends SIGINT and reads /proc; elsewhere it is reported as skipped, and the in-process test above still runs.
    [LinuxFact]
    public async Task Ctrl_c_stops_the_real_program_with_one_line_and_exit_130()
    {
        using var process = Infrastructure.CliProcess.Start("primes", "count", "--to", "1e15");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // Wait (with a deadline) until the program is past installing its Ctrl+C handler, then press Ctrl+C.
            await WaitUntilKernelsAreLoaded(process.Id, TimeSpan.FromSeconds(30));
            await CliProcess.SignalAsync(process.Id, "INT");

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(130, process.ExitCode);
        Assert.Equal(string.Empty, await stdout);
        Assert.Equal("grainpool: cancelled", (await stderr).TrimEnd());
    }

    // The runtime catches SIGINT from its first instruction (and ends the process with 130 when no one listens), so the
    // signal mask says nothing about grainpool's own handler. Program.cs installs that handler before anything touches a
    // kernel, so the kernels' assembly appearing in the process's memory map means the handler is in place.
    private static async Task WaitUntilKernelsAreLoaded(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (clock.Elapsed < timeout)
        {
            var maps = await File.ReadAllTextAsync($"/proc/{pid}/maps");
            if (maps.Contains("GrainPool.Kernels.dll", StringComparison.Ordinal))
            {
                return;
            }

            await tick.WaitForNextTickAsync();
        }

        Assert.Fail("grainpool never loaded its kernels");
    }

    private static (CliApplication App, MemoryStream Stdout, StringWriter Stderr) CreateApplication(Func<GlobalOptions, IJobRunner> createRunner)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var app = new CliApplication(new CliConsole(stdout, stderr, ErrorIsTerminal: false), (options, _) => Task.FromResult(createRunner(options)));
        return (app, stdout, stderr);
    }

    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
