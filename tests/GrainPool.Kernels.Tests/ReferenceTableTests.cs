using System.Globalization;
using System.Numerics;
using GrainPool.Kernels.Running;
using GrainPool.Kernels.Tests.Support;

namespace GrainPool.Kernels.Tests;

/// <summary>The kernels against the public tables in tests/reference (prime counts, square-root sums, seed outputs).</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ReferenceTableTests
{
    public static TheoryData<ulong> SqrtSumTableSizes
    {
        get
        {
            var data = new TheoryData<ulong>();
            foreach (var row in ReferenceData.SqrtSums)
            {
                data.Add(row.N);
            }

            return data;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Sieve_count_matches_pi_of_powers_of_ten(int k)
    {
        var x = Ranges.PowerOfTen(k);

        Assert.Equal(ReferenceData.PiOf(x), PrimeCounting.Count(0, x, PrimalityMethod.Sieve));
        Assert.Equal(ReferenceData.PiOf(x), PrimeCounting.CountBySieve(2, x));
    }

    [Fact]
    public void Sieve_count_matches_pi_of_ten_to_the_ninth_on_one_thread()
    {
        var x = Ranges.PowerOfTen(9);

        Assert.Equal(ReferenceData.PiOf(x), PrimeCounting.Count(0, x, PrimalityMethod.Sieve));
    }

    [Fact]
    public void Runner_over_all_cores_matches_pi_of_ten_to_the_tenth()
    {
        var x = Ranges.PowerOfTen(10);
        var runner = new InProcessRunner();

        var count = runner.RunRange(new PrimeCountKernel(PrimalityMethod.Sieve), 0, x);

        Assert.Equal(Environment.ProcessorCount, runner.Workers);
        Assert.Equal(ReferenceData.PiOf(x), count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Miller_rabin_count_matches_pi_of_powers_of_ten(int k)
    {
        var x = Ranges.PowerOfTen(k);

        Assert.Equal(ReferenceData.PiOf(x), PrimeCounting.Count(0, x, PrimalityMethod.MillerRabin));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Trial_division_count_matches_pi_of_powers_of_ten(int k)
    {
        var x = Ranges.PowerOfTen(k);

        Assert.Equal(ReferenceData.PiOf(x), PrimeCounting.Count(0, x, PrimalityMethod.Trial));
    }

    [Fact]
    public void Reference_sieve_matches_every_tabulated_pi_it_reaches()
    {
        var rows = ReferenceData.PrimeCounts.Where(row => row.X <= ReferenceSieve.Limit).ToList();

        Assert.True(rows.Count >= 7, $"expected the table to have pi(10^1..10^7); it has {rows.Count} rows below {ReferenceSieve.Limit}");
        Assert.All(rows, row => Assert.Equal(row.Pi, ReferenceSieve.Shared.Count(0, row.X)));
    }

    [Theory]
    [MemberData(nameof(SqrtSumTableSizes))]
    public void Sqrt_sum_is_bit_identical_to_the_exactly_rounded_table_value(ulong n)
    {
        var row = ReferenceData.SqrtSums.Single(r => r.N == n);

        var sum = SqrtSum.Compute(0, n - 1);

        Assert.Equal(BitConverter.DoubleToInt64Bits(row.ExactRounded), BitConverter.DoubleToInt64Bits(sum));
        Assert.Equal(BitConverter.DoubleToInt64Bits(row.ExactRounded), BitConverter.DoubleToInt64Bits(SqrtSum.Tutorial(n)));
    }

    [Theory]
    [MemberData(nameof(SqrtSumTableSizes))]
    public void Naive_left_to_right_sum_reproduces_the_naive_column(ulong n)
    {
        var row = ReferenceData.SqrtSums.Single(r => r.N == n);

        // Python's sum() over math.sqrt(i): one double accumulator, terms added in order.
        var naive = 0.0;
        for (ulong i = 0; i < n; i++)
        {
            naive += Math.Sqrt(i);
        }

        Assert.Equal(BitConverter.DoubleToInt64Bits(row.Naive), BitConverter.DoubleToInt64Bits(naive));
    }

    [Fact]
    public void Sqrt_sum_table_values_are_shortest_round_trip_strings()
    {
        // Reading the table right: each printed value is the shortest string that parses back to the same double.
        Assert.All(ReferenceData.SqrtSums, row =>
        {
            Assert.Equal(row.ExactText, row.ExactRounded.ToString("R", CultureInfo.InvariantCulture));
            Assert.Equal(row.NaiveText, row.Naive.ToString("R", CultureInfo.InvariantCulture));
        });
    }

    [Fact]
    public void Exact_big_integer_reference_reproduces_the_table_up_to_a_million()
    {
        var rows = ReferenceData.SqrtSums.Where(row => row.N <= 1_000_000).ToList();

        Assert.NotEmpty(rows);
        Assert.All(rows, row =>
        {
            var exact = ExactSums.SqrtSumFixed(0, row.N - 1);
            Assert.Equal(BitConverter.DoubleToInt64Bits(row.ExactRounded), BitConverter.DoubleToInt64Bits(ExactSums.RoundToDouble(exact)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(row.ExactRounded), BitConverter.DoubleToInt64Bits(ExactSums.ParseExactDecimal(exact)));
        });
    }

    [Fact]
    public void Tutorial_heavy_task_square_sum_matches_the_seed_output()
    {
        var seed = ReferenceData.Seed;

        var sum = SquareSum.Tutorial(seed.SquareSumN);

        Assert.Equal(seed.SquareSum, (BigInteger)sum);
        Assert.Equal(ExactSums.SquareSumBelow(seed.SquareSumN), seed.SquareSum); // the table agrees with the closed form
    }

    [Fact]
    public void Tutorial_is_prime_map_finds_the_seed_prime_count()
    {
        var seed = ReferenceData.Seed;
        var numbers = Enumerable.Range(1, (int)seed.IsPrimeLast).Select(i => (long)i).ToArray();
        var results = new bool[numbers.Length];

        new InProcessRunner(2).RunMap(new IsPrimeKernel(PrimalityMethod.Trial), numbers, results);

        Assert.Equal(seed.IsPrimeCount, results.Count(isPrime => isPrime));
    }

    [Fact]
    public void Tutorial_compute_matches_the_seed_exact_and_naive_outputs()
    {
        var seed = ReferenceData.Seed;

        var exact = SqrtSum.Tutorial(seed.SqrtSumN);
        var naive = 0.0;
        for (ulong i = 0; i < seed.SqrtSumN; i++)
        {
            naive += Math.Sqrt(i);
        }

        Assert.Equal(BitConverter.DoubleToInt64Bits(seed.SqrtSumExact), BitConverter.DoubleToInt64Bits(exact));
        Assert.Equal(BitConverter.DoubleToInt64Bits(seed.SqrtSumNaive), BitConverter.DoubleToInt64Bits(naive));
    }
}
