using System.Globalization;
using GrainPool.Kernels.Running;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>
/// Bad input gives the documented exception, naming the parameter and showing the bad value in the message.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ArgumentValidationTests
{
    // first > last. The pair is chosen so that a method that wrongly accepts it still returns at once instead of
    // looping over the whole 64-bit range (counting from first up through 2^64 - 1, wrapping, and on to last).
    private const ulong BadFirst = ulong.MaxValue - 5;
    private const ulong BadLast = 3;

    private static readonly Dictionary<string, Func<object>> RangeEntryPoints = new()
    {
        ["PrimeCounting.Count(Sieve)"] = () => PrimeCounting.Count(BadFirst, BadLast, PrimalityMethod.Sieve),
        ["PrimeCounting.Count(MillerRabin)"] = () => PrimeCounting.Count(BadFirst, BadLast, PrimalityMethod.MillerRabin),
        ["PrimeCounting.Count(Trial)"] = () => PrimeCounting.Count(BadFirst, BadLast, PrimalityMethod.Trial),
        ["PrimeCounting.CountBySieve"] = () => PrimeCounting.CountBySieve(BadFirst, BadLast),
        ["PrimeCounting.CountByMillerRabin"] = () => PrimeCounting.CountByMillerRabin(BadFirst, BadLast),
        ["PrimeCounting.CountByTrialDivision"] = () => PrimeCounting.CountByTrialDivision(BadFirst, BadLast),
        ["SqrtSum.Partial"] = () => SqrtSum.Partial(BadFirst, BadLast),
        ["SqrtSum.Compute"] = () => SqrtSum.Compute(BadFirst, BadLast),
        ["SquareSum.Partial"] = () => SquareSum.Partial(BadFirst, BadLast),
        ["PrimeCountKernel(Sieve).Compute"] = () => new PrimeCountKernel(PrimalityMethod.Sieve).Compute(BadFirst, BadLast),
        ["PrimeCountKernel(MillerRabin).Compute"] = () => new PrimeCountKernel(PrimalityMethod.MillerRabin).Compute(BadFirst, BadLast),
        ["PrimeCountKernel(Trial).Compute"] = () => new PrimeCountKernel(PrimalityMethod.Trial).Compute(BadFirst, BadLast),
        ["SqrtSumKernel.Compute"] = () => new SqrtSumKernel().Compute(BadFirst, BadLast),
        ["SquareSumKernel.Compute"] = () => new SquareSumKernel().Compute(BadFirst, BadLast),
        ["InProcessRunner.RunRange"] = () => new InProcessRunner(2).RunRange(new SquareSumKernel(), BadFirst, BadLast),
    };

    public static TheoryData<string> RangeEntryPointNames => [.. RangeEntryPoints.Keys];

    [Theory]
    [MemberData(nameof(RangeEntryPointNames))]
    public void Every_range_entry_point_rejects_first_greater_than_last(string entryPoint)
    {
        object? result = null;
        var ex = Record.Exception(() => result = RangeEntryPoints[entryPoint]());

        if (ex is null)
        {
            Assert.Fail($"{entryPoint} with first = {BadFirst} > last = {BadLast} returned {result} instead of throwing ArgumentOutOfRangeException.");
        }

        AssertOutOfRange(ex, "first", BadFirst);
    }

    [Theory]
    [InlineData(SqrtSum.MaxExclusive - 3, SqrtSum.MaxExclusive)]
    [InlineData(SqrtSum.MaxExclusive, SqrtSum.MaxExclusive)]
    [InlineData(0UL, ulong.MaxValue)]
    public void Sqrt_sum_rejects_last_at_or_above_max_exclusive(ulong first, ulong last)
    {
        AssertOutOfRange(Record.Exception(() => SqrtSum.Partial(first, last)), "last", last);
        AssertOutOfRange(Record.Exception(() => SqrtSum.Compute(first, last)), "last", last);
        AssertOutOfRange(Record.Exception(() => new SqrtSumKernel().Compute(first, last)), "last", last);
    }

    [Fact]
    public void Sqrt_sum_tutorial_rejects_a_count_beyond_max_exclusive() =>
        AssertOutOfRange(Record.Exception(() => SqrtSum.Tutorial(SqrtSum.MaxExclusive + 1)), "last", SqrtSum.MaxExclusive);

    [Theory]
    [InlineData(SquareSum.MaxExclusive - 3, SquareSum.MaxExclusive)]
    [InlineData(SquareSum.MaxExclusive, SquareSum.MaxExclusive)]
    [InlineData(0UL, ulong.MaxValue)]
    public void Square_sum_rejects_last_at_or_above_max_exclusive(ulong first, ulong last)
    {
        AssertOutOfRange(Record.Exception(() => SquareSum.Partial(first, last)), "last", last);
        AssertOutOfRange(Record.Exception(() => new SquareSumKernel().Compute(first, last)), "last", last);
    }

    [Fact]
    public void Runner_surfaces_the_kernel_range_error_unwrapped()
    {
        const ulong last = SqrtSum.MaxExclusive + 10;

        var ex = Record.Exception(() => new InProcessRunner(2).RunRange(new SqrtSumKernel(), SqrtSum.MaxExclusive - 10, last, chunkSize: 1_000));

        AssertOutOfRange(ex, "last", last);
    }

    [Theory]
    [InlineData(Ranges.TwoPow63 - 5, Ranges.TwoPow63)]
    [InlineData(Ranges.TwoPow63, Ranges.TwoPow63)]
    [InlineData(0UL, ulong.MaxValue)]
    public void Trial_division_counting_rejects_values_beyond_two_to_the_63_minus_1(ulong first, ulong last)
    {
        AssertOutOfRange(Record.Exception(() => PrimeCounting.Count(first, last, PrimalityMethod.Trial)), "last", last);
        AssertOutOfRange(Record.Exception(() => PrimeCounting.CountByTrialDivision(first, last)), "last", last);
        AssertOutOfRange(Record.Exception(() => new PrimeCountKernel(PrimalityMethod.Trial).Compute(first, last)), "last", last);
    }

    [Fact]
    public void Count_rejects_an_unknown_method()
    {
        const PrimalityMethod unknown = (PrimalityMethod)42;

        var ex = Record.Exception(() => PrimeCounting.Count(0, 10, unknown));

        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(ex);
        Assert.Equal("method", outOfRange.ParamName);
        Assert.Equal(unknown, outOfRange.ActualValue);
        Assert.Contains("42", outOfRange.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Is_prime_kernel_rejects_the_sieve_method()
    {
        var ex = Record.Exception(() => new IsPrimeKernel(PrimalityMethod.Sieve));

        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(ex);
        Assert.Equal("method", outOfRange.ParamName);
        Assert.Equal(PrimalityMethod.Sieve, outOfRange.ActualValue);
        Assert.Contains(nameof(PrimalityMethod.Sieve), outOfRange.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Runner_rejects_fewer_than_one_worker(int workers)
    {
        var ex = Record.Exception(() => new InProcessRunner(workers));

        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(ex);
        Assert.Equal("workers", outOfRange.ParamName);
        Assert.Equal(workers, outOfRange.ActualValue);
        Assert.Contains(workers.ToString(CultureInfo.InvariantCulture), outOfRange.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_map_rejects_results_of_a_different_length()
    {
        var items = new long[23];
        var results = new bool[17];

        var ex = Record.Exception(() => new InProcessRunner(2).RunMap(new IsPrimeKernel(PrimalityMethod.MillerRabin), items, results));

        var argument = Assert.IsType<ArgumentException>(ex);
        Assert.Equal("results", argument.ParamName);
        Assert.Contains("17", argument.Message, StringComparison.Ordinal);
        Assert.Contains("23", argument.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_map_rejects_a_negative_chunk_size()
    {
        var ex = Record.Exception(() => new InProcessRunner(2).RunMap(new IsPrimeKernel(PrimalityMethod.MillerRabin), new long[4], new bool[4], chunkSize: -7));

        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(ex);
        Assert.Equal("chunkSize", outOfRange.ParamName);
        Assert.Equal(-7, outOfRange.ActualValue);
        Assert.Contains("-7", outOfRange.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runner_rejects_a_null_kernel()
    {
        var runner = new InProcessRunner(1);

        Assert.Equal("kernel", Assert.Throws<ArgumentNullException>(() => runner.RunRange<ulong>(null!, 0, 10)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentNullException>(() => runner.RunMap<long, bool>(null!, new long[1], new bool[1])).ParamName);
    }

    private static void AssertOutOfRange(Exception? ex, string parameter, ulong value)
    {
        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(ex);
        Assert.Equal(parameter, outOfRange.ParamName);
        Assert.Equal(value, outOfRange.ActualValue);
        Assert.Contains(value.ToString(CultureInfo.InvariantCulture), outOfRange.Message, StringComparison.Ordinal);
    }
}
