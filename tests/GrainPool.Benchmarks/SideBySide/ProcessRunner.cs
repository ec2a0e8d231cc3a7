using System.Diagnostics;

namespace GrainPool.Benchmarks.SideBySide;

/// <summary>One finished process: wall time from just before start to exit, exit code and captured output.</summary>
internal sealed record ProcessRun(TimeSpan Wall, int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last lines of stderr (or stdout), to explain a failure in one place.</summary>
    public string FailureTail()
    {
        var text = string.IsNullOrWhiteSpace(StdErr) ? StdOut : StdErr;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(Environment.NewLine, lines.TakeLast(8));
    }
}

/// <summary>Runs programs as whole processes and times them with a <see cref="Stopwatch"/> around start and exit.</summary>
internal static class ProcessRunner
{
    /// <summary>Runs one process to its end.</summary>
    public static async Task<ProcessRun> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var runs = await RunConcurrentlyAsync(fileName, [arguments.ToArray()], workingDirectory);
        return runs.Single();
    }

    /// <summary>
    /// Starts one process per argument list at once and waits for all; each run's Wall is the time from the first
    /// start to the last exit, the wall time of the whole group (what a user waiting for all of them sees).
    /// </summary>
    public static async Task<IReadOnlyList<ProcessRun>> RunConcurrentlyAsync(
        string fileName, IReadOnlyList<string[]> argumentLists, string? workingDirectory = null)
    {
        var processes = new List<Process>(argumentLists.Count);
        var reads = new List<(Task<string> Out, Task<string> Err)>(argumentLists.Count);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            foreach (var arguments in argumentLists)
            {
                var info = new ProcessStartInfo(fileName, arguments)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                    WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
                };
                var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
                processes.Add(process);
                reads.Add((process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()));
            }

            foreach (var process in processes)
            {
                await process.WaitForExitAsync();
            }

            stopwatch.Stop();
            var results = new List<ProcessRun>(processes.Count);
            for (var i = 0; i < processes.Count; i++)
            {
                results.Add(new ProcessRun(stopwatch.Elapsed, processes[i].ExitCode, await reads[i].Out, await reads[i].Err));
            }

            return results;
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>The first line a program prints (for version strings), or null when it cannot be run.</summary>
    public static async Task<string?> FirstLineAsync(string fileName, params string[] arguments)
    {
        try
        {
            var run = await RunAsync(fileName, arguments);
            var text = string.IsNullOrWhiteSpace(run.StdOut) ? run.StdErr : run.StdOut;
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
