using System.Globalization;
using System.Text.RegularExpressions;

namespace GrainPool.Cluster.Tests.Infrastructure;

/// <summary>
/// The public reference tables in the repository's tests/reference (pi(x), exactly rounded sqrt sums, the seed
/// programs' outputs; see <see cref="GrainPool.Tests.Shared.ReferenceFolder"/>). A missing folder or a malformed row fails the test that asked.
/// </summary>
internal static class ReferenceData
{
    private static readonly Lazy<string> Folder = new(() => GrainPool.Tests.Shared.ReferenceFolder.Path);
    private static readonly Lazy<IReadOnlyList<(ulong X, ulong Pi)>> PrimeCountRows = new(() =>
        [.. ReadTsv("prime-counts.tsv", 2).Select(cells => (ParseULong(cells[0]), ParseULong(cells[1])))]);

    private static readonly Lazy<IReadOnlyList<(ulong N, double ExactRounded)>> SqrtSumRows = new(() =>
        [.. ReadTsv("sqrt-sums.tsv", 3).Select(cells => (ParseULong(cells[0]), ParseDouble(cells[1])))]);

    /// <summary>Rows (x, pi(x)) of prime-counts.tsv.</summary>
    public static IReadOnlyList<(ulong X, ulong Pi)> PrimeCounts => PrimeCountRows.Value;

    /// <summary>Rows (n, sum of sqrt(i) for i in [0, n) exactly rounded) of sqrt-sums.tsv.</summary>
    public static IReadOnlyList<(ulong N, double ExactRounded)> SqrtSums => SqrtSumRows.Value;

    /// <summary>pi(x) from the table.</summary>
    public static ulong PiOf(ulong x) => PrimeCounts.Where(row => row.X == x).Select(row => (ulong?)row.Pi).SingleOrDefault()
        ?? throw new InvalidOperationException($"prime-counts.tsv in {Folder.Value} has no row for x = {x}.");

    /// <summary>The exactly rounded sum of sqrt(i) for i in [0, n) from the table.</summary>
    public static double SqrtSumBelow(ulong n) => SqrtSums.Where(row => row.N == n).Select(row => (double?)row.ExactRounded).SingleOrDefault()
        ?? throw new InvalidOperationException($"sqrt-sums.tsv in {Folder.Value} has no row for n = {n}.");

    /// <summary>The seed's heavy_task: n and sum(i**2 for i in range(n)) from seed-expected.md.</summary>
    public static (ulong N, UInt128 Sum) SeedSquareSum()
    {
        var match = FindInSeed(@"sum\(i\*\*2 for i in range\((?<n>[\d_]+)\)\)\s*\|\s*(?<sum>\d+)");
        return (ParseULong(match.Groups["n"].Value.Replace("_", string.Empty, StringComparison.Ordinal)),
            UInt128.Parse(match.Groups["sum"].Value, NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>The seed's Pool.map example: the last number mapped and how many primes it found.</summary>
    public static (long Last, int Primes) SeedPrimeMap()
    {
        var match = FindInSeed(@"numbers 1\.\.(?<last>[\d,]+)\s*\|\s*(?<count>\d+) primes");
        return (long.Parse(match.Groups["last"].Value.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture),
            int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture));
    }

    private static IEnumerable<string[]> ReadTsv(string fileName, int columns)
    {
        var path = Path.Combine(Folder.Value, fileName);
        var rows = File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .ToList();
        if (rows.Count == 0 || rows.Any(cells => cells.Length != columns))
        {
            throw new FormatException($"{path}: expected rows of {columns} tab-separated columns.");
        }

        return rows;
    }

    private static Match FindInSeed(string pattern)
    {
        var text = File.ReadAllText(Path.Combine(Folder.Value, "seed-expected.md"));
        var match = Regex.Match(text, pattern, RegexOptions.CultureInvariant);
        return match.Success ? match : throw new FormatException($"seed-expected.md has no line matching /{pattern}/.");
    }

    private static ulong ParseULong(string text) => ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    // The tables print Python's repr, the shortest string that round-trips, so parsing gives back the exact double.
    private static double ParseDouble(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
