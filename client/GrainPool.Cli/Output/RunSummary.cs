namespace GrainPool.Cli.Output;

/// <summary>How a job ran: the runner's mode, its worker count, and the wall time of the computation.</summary>
/// <param name="Mode">The runner's mode name, for example <c>in-process</c>.</param>
/// <param name="Workers">The runner's worker count.</param>
/// <param name="Elapsed">Wall time of the computation (argument parsing and printing excluded).</param>
internal sealed record RunSummary(string Mode, int Workers, TimeSpan Elapsed);
