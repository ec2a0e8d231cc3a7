using System.Diagnostics;

namespace GrainPool.Tests.Shared;

/// <summary>Runs a started process (its output redirected) to its end, with a deadline.</summary>
public static class ProcessRun
{
    /// <summary>
    /// Reads both output streams while <paramref name="process"/> runs and returns them with its exit code; past
    /// <paramref name="deadline"/> it kills the process and its children and throws, naming <paramref name="command"/>
    /// and what it printed.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> ToEndAsync(Process process, TimeSpan deadline, string command)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {deadline.TotalSeconds} s\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
