using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrainPool.Benchmarks.Scaling;
using GrainPool.Benchmarks.SideBySide;
using GrainPool.Kernels;

namespace GrainPool.Benchmarks.CommandScaling;

/// <summary>
/// One workload of the <c>cli-scale</c> command: the arguments of a <c>grainpool</c> command (with <c>--json</c>) and the
/// check of its JSON output against a value from outside the code under test and against the other configurations.
/// </summary>
internal abstract class CommandWorkload(string key, string[] arguments)
{
    private string? _firstFingerprint;

    /// <summary>The name used by <c>--workloads</c>, e.g. <c>trial-1e7</c>.</summary>
    public string Key { get; } = key;

    /// <summary>The command's arguments after the mode options, e.g. <c>primes count --method trial --to 1e7</c>.</summary>
    public IReadOnlyList<string> Arguments { get; } = arguments;

    /// <summary>What the result is checked against.</summary>
    public abstract string Reference { get; }

    /// <summary>
    /// Checks one run's JSON: null when it is right. The first run's result (its fingerprint) becomes the one every
    /// later run, on every configuration, must repeat exactly.
    /// </summary>
    public string? Check(JsonElement json)
    {
        var problem = CheckValue(json);
        if (problem is not null)
        {
            return problem;
        }

        var fingerprint = Fingerprint(json);
        _firstFingerprint ??= fingerprint;
        return fingerprint == _firstFingerprint ? null : $"result {Short(fingerprint)} differs from the first run's {Short(_firstFingerprint)}";
    }

    protected abstract string? CheckValue(JsonElement json);

    /// <summary>The part of the output that must be the same on every configuration.</summary>
    protected abstract string Fingerprint(JsonElement json);

    protected static string Count(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "...";
}

/// <summary><c>primes count</c> over [0, to] with a method; the count must equal pi(to).</summary>
internal sealed class PrimeCountWorkload(string key, string method, ulong to, ulong expected, string reference)
    : CommandWorkload(key, ["primes", "count", "--method", method, "--to", to.ToString(CultureInfo.InvariantCulture)])
{
    public override string Reference => $"pi({Count(to)}) = {Count(expected)} ({reference})";

    protected override string? CheckValue(JsonElement json)
    {
        var count = json.GetProperty("count").GetUInt64();
        return count == expected ? null : $"count {count}, expected {expected}";
    }

    protected override string Fingerprint(JsonElement json) => json.GetProperty("count").GetRawText();
}

/// <summary><c>primes map --upto n</c>: n results in order, pi(n) of them true, the same array on every configuration.</summary>
internal sealed class PrimeMapWorkload(string key, string method, ulong upto, ulong expected, string reference)
    : CommandWorkload(key, ["primes", "map", "--method", method, "--upto", upto.ToString(CultureInfo.InvariantCulture)])
{
    public override string Reference => $"{Count(upto)} results, pi({Count(upto)}) = {Count(expected)} of them true ({reference}); the array equal on every run";

    protected override string? CheckValue(JsonElement json)
    {
        var results = json.GetProperty("results");
        var length = (ulong)results.GetArrayLength();
        if (length != upto)
        {
            return $"{length} results, expected {upto}";
        }

        var primes = (ulong)results.EnumerateArray().Count(r => r.GetBoolean());
        return primes == expected ? null : $"{primes} true results, expected {expected}";
    }

    protected override string Fingerprint(JsonElement json) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json.GetProperty("results").GetRawText())));
}

/// <summary>
/// <c>sqrt-sum --n n</c>: the sum of sqrt(i) for i in [0, n) rounded once; it must agree with the Euler-Maclaurin
/// expansion to 1e-13 relative and be the same double on every configuration.
/// </summary>
internal sealed class SqrtSumWorkload(string key, ulong n)
    : CommandWorkload(key, ["sqrt-sum", "--n", n.ToString(CultureInfo.InvariantCulture)])
{
    private const double Tolerance = 1e-13;

    public override string Reference => $"the Euler-Maclaurin expansion of the sum over [1, n], minus sqrt(n), within {Tolerance:0e0} relative; the same double on every run";

    protected override string? CheckValue(JsonElement json)
    {
        var sum = json.GetProperty("sum").GetDouble();
        var expected = SqrtSumExpansion.FromOneTo(n) - Math.Sqrt(n);
        var error = Math.Abs(sum - expected) / expected;
        return error <= Tolerance ? null : $"sum {sum:R} is {error:0.0e0} from the expansion's {expected:R}";
    }

    protected override string Fingerprint(JsonElement json) => json.GetProperty("sum").GetRawText();
}

/// <summary>The workloads of issue 9's target table, by key.</summary>
internal static class CommandWorkloads
{
    /// <summary>Every workload, in the order they run: trial division to 10^7..10^8, maps of 10^6 and 10^7 items, sieve counts to 10^10 and 10^11, sqrt sums.</summary>
    public static readonly string[] All =
        ["trial-1e7", "trial-3e7", "trial-1e8", "map-1e6", "map-1e7", "sieve-1e10", "sieve-1e11", "sqrt-1e9", "sqrt-1e10"];

    public static CommandWorkload Create(string key, RepoLayout layout)
    {
        var parts = key.Split('-', 2);
        var n = parts.Length == 2 ? SideBySideOptions.ParseCount(parts[1], "--workloads") : 0;
        return parts[0] switch
        {
            "trial" => Counted(key, "trial", n, layout, (k, m, x, pi, r) => new PrimeCountWorkload(k, m, x, pi, r)),
            "sieve" => Counted(key, "sieve", n, layout, (k, m, x, pi, r) => new PrimeCountWorkload(k, m, x, pi, r)),
            "map" => Counted(key, "trial", n, layout, (k, m, x, pi, r) => new PrimeMapWorkload(k, m, x, pi, r)),
            "sqrt" when n < SqrtSum.MaxExclusive => new SqrtSumWorkload(key, n),
            _ => throw new ArgumentException($"--workloads takes trial-N, sieve-N, map-N and sqrt-N (e.g. {string.Join(",", All)}), not '{key}'"),
        };
    }

    // pi(x) from the repository's reference table (OEIS A006880) where it has x; otherwise from our wheel sieve, which is
    // another algorithm than the trial division and the per-item map it checks (for sieve workloads x must be in the table).
    private static CommandWorkload Counted(string key, string method, ulong x, RepoLayout layout,
        Func<string, string, ulong, ulong, string, CommandWorkload> create)
    {
        if (PrimesieveComparison.LoadReferenceCounts(layout.PrimeCountsFile).TryGetValue(x, out var pi))
        {
            return create(key, method, x, pi, "tests/reference/prime-counts.tsv");
        }

        if (method == "sieve")
        {
            throw new ArgumentException($"--workloads: '{key}' needs pi({x}) from tests/reference/prime-counts.tsv, which has powers of ten only");
        }

        return create(key, method, x, PrimeCounting.CountBySieve(0, x), "our wheel sieve, another algorithm than trial division");
    }
}
