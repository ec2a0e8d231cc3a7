using GrainPool.Cli;

// Everything lives in named classes; this file only connects them to the real console and Ctrl+C.
// The Ctrl+C handler goes in first, before any kernel is touched (the Ctrl+C test relies on that order).
using var cancellation = new ConsoleCancellation();
return await new CliApplication(CliConsole.FromSystemConsole()).RunAsync(args, cancellation.Token);
