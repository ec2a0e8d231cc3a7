using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Output;

/// <summary>How a job ran: where, on how many workers and silos, and the wall time of the computation.</summary>
/// <param name="Mode">The runner's mode name, for example <c>in-process</c> or <c>silos</c>.</param>
/// <param name="Workers">Distinct workers that took chunks (in process: the thread count).</param>
/// <param name="Silos">Distinct silos that took chunks; 0 in process.</param>
/// <param name="Elapsed">Wall time of the computation (argument parsing, cluster start and printing excluded).</param>
/// <param name="Chunks">The sizes of the chunks the command's jobs used, when the runner recorded them.</param>
internal sealed record RunSummary(string Mode, int Workers, int Silos, TimeSpan Elapsed, ChunkSizeLog? Chunks = null);
