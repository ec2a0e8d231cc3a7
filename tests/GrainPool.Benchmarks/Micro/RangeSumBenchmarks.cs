using BenchmarkDotNet.Attributes;
using GrainPool.Kernels;

namespace GrainPool.Benchmarks.Micro;

/// <summary>
/// The tutorial's two sums on one thread, reported per term (OperationsPerInvoke), so Op/s reads as terms per second:
/// compute(1_000_000) = sum of sqrt(i), and heavy_task = sum of i^2 for i below 10^7.
/// </summary>
public class RangeSumBenchmarks
{
    public const int SqrtTerms = 1_000_000;
    public const int SquareTerms = 10_000_000;

    [Benchmark(OperationsPerInvoke = SqrtTerms)]
    public SqrtSumPartial SqrtSumPerTerm() => SqrtSum.Partial(0, SqrtTerms - 1);

    [Benchmark(OperationsPerInvoke = SquareTerms)]
    public UInt128 SquareSumPerTerm() => SquareSum.Partial(0, SquareTerms - 1);
}
