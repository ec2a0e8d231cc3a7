namespace GrainPool.Cli;

/// <summary>Where the program writes: standard output as bytes (JSON is written as UTF-8), and standard error.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error: error lines and the progress bar.</param>
/// <param name="ErrorIsTerminal">True when standard error is a terminal, the only place a progress bar is drawn.</param>
internal sealed record CliConsole(Stream Out, TextWriter Error, bool ErrorIsTerminal)
{
    /// <summary>The process's own console.</summary>
    public static CliConsole FromSystemConsole() =>
        new(Console.OpenStandardOutput(), Console.Error, !Console.IsErrorRedirected);
}
