namespace GrainPool.Cli;

/// <summary>Where the program writes: standard output as bytes (JSON is written as UTF-8), and standard error.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error: error lines and the progress bar.</param>
/// <param name="ErrorIsTerminal">True when standard error is a terminal, the only place a progress bar is drawn.</param>
/// <param name="IsSystemConsole">True for the process's own console (<see cref="FromSystemConsole"/>).</param>
internal sealed record CliConsole(Stream Out, TextWriter Error, bool ErrorIsTerminal, bool IsSystemConsole = false)
{
    /// <summary>The process's own console.</summary>
    public static CliConsole FromSystemConsole() =>
        new(Console.OpenStandardOutput(), Console.Error, !Console.IsErrorRedirected, IsSystemConsole: true);

    /// <summary>
    /// Keeps standard output and standard error for grainpool's own output: <see cref="Out"/> and <see cref="Error"/>
    /// keep writing where they did, while whatever writes to <see cref="Console.Out"/> or <see cref="Console.Error"/>
    /// from now on is dropped. The Orleans hosts grainpool starts log through console loggers (the client host that
    /// GrainPoolConnection builds on standard output, the embedded silo its warnings on standard error, e.g. when a busy
    /// machine delays its health checks); those lines would break the one JSON object of <c>--json</c> and the one error
    /// line of a failure. A failure that matters reaches the user anyway, as the exception that ends the command.
    /// </summary>
    public void SilenceLibraryConsoleOutput()
    {
        if (IsSystemConsole)
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
        }
    }
}
