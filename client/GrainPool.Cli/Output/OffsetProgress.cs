using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Output;

/// <summary>Progress of one job among several run one after another: shifts its counts so the bar spans them all.</summary>
internal sealed class OffsetProgress(IProgress<RunProgress> inner, UInt128 offset, UInt128 total) : IProgress<RunProgress>
{
    /// <inheritdoc />
    public void Report(RunProgress value) => inner.Report(new RunProgress(offset + value.Done, total));
}
