using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace GrainPool.Kernels.Tests.Support;

/// <summary>One row of prime-counts.tsv: pi(x), the number of primes p &lt;= x.</summary>
internal sealed record PrimeCountRow(ulong X, ulong Pi);

/// <summary>One row of sqrt-sums.tsv: S(n) = sum of sqrt(i) for i in [0, n), exactly rounded and added left to right.</summary>
internal sealed record SqrtSumRow(ulong N, double ExactRounded, double Naive, string ExactText, string NaiveText);

/// <summary>The numbers in seed-expected.md: what the tutorial's three programs print.</summary>
internal sealed record SeedExpected(
    ulong SquareSumN,
    BigInteger SquareSum,
    long IsPrimeLast,
    int IsPrimeCount,
    ulong SqrtSumN,
    double SqrtSumNaive,
    double SqrtSumExact);

/// <summary>
/// The public reference tables in the repository's tests/reference (see <see cref="GrainPool.Tests.Shared.ReferenceFolder"/>). A missing folder or a malformed row fails the test that asked, loudly.
/// </summary>
internal static class ReferenceData
{
    private static readonly Lazy<string> Folder = new(() => GrainPool.Tests.Shared.ReferenceFolder.Path);
    private static readonly Lazy<IReadOnlyList<PrimeCountRow>> PrimeCountRows = new(ReadPrimeCounts);
    private static readonly Lazy<IReadOnlyList<SqrtSumRow>> SqrtSumRows = new(ReadSqrtSums);
    private static readonly Lazy<SeedExpected> SeedRows = new(ReadSeedExpected);

    public static string FolderPath => Folder.Value;

    public static IReadOnlyList<PrimeCountRow> PrimeCounts => PrimeCountRows.Value;

    public static IReadOnlyList<SqrtSumRow> SqrtSums => SqrtSumRows.Value;

    public static SeedExpected Seed => SeedRows.Value;

    /// <summary>pi(x) from the table; throws when the table has no row for x.</summary>
    public static ulong PiOf(ulong x) =>
        PrimeCounts.SingleOrDefault(row => row.X == x)?.Pi
        ?? throw new InvalidOperationException($"prime-counts.tsv in {FolderPath} has no row for x = {x}.");

    private static IEnumerable<string[]> ReadTsv(string fileName, int columns)
    {
        var path = Path.Combine(FolderPath, fileName);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var cells = line.Split('\t');
            if (cells.Length != columns)
            {
                throw new FormatException($"{path}:{lineNumber}: expected {columns} tab-separated columns, found {cells.Length}: '{line}'.");
            }

            yield return cells;
        }
    }

    private static IReadOnlyList<PrimeCountRow> ReadPrimeCounts()
    {
        var rows = ReadTsv("prime-counts.tsv", 2)
            .Select(cells => new PrimeCountRow(ParseULong(cells[0]), ParseULong(cells[1])))
            .ToList();
        return rows.Count > 0 ? rows : throw new FormatException("prime-counts.tsv has no data rows.");
    }

    private static IReadOnlyList<SqrtSumRow> ReadSqrtSums()
    {
        var rows = ReadTsv("sqrt-sums.tsv", 3)
            .Select(cells => new SqrtSumRow(ParseULong(cells[0]), ParseDouble(cells[1]), ParseDouble(cells[2]), cells[1], cells[2]))
            .ToList();
        return rows.Count > 0 ? rows : throw new FormatException("sqrt-sums.tsv has no data rows.");
    }

    private static SeedExpected ReadSeedExpected()
    {
        var text = File.ReadAllText(Path.Combine(FolderPath, "seed-expected.md"));
        var squares = Find(text, @"sum\(i\*\*2 for i in range\((?<n>[\d_]+)\)\)\s*\|\s*(?<sum>\d+)");
        var primes = Find(text, @"numbers 1\.\.(?<last>[\d,]+)\s*\|\s*(?<count>\d+) primes");
        var roots = Find(text, @"\[(?<n>[\d_]+)\] \* 8\s*\|\s*each (?<naive>[\d.]+) when added left to right.*exactly rounded value (?<exact>[\d.]+)");
        return new SeedExpected(
            ParseULong(squares.Groups["n"].Value.Replace("_", string.Empty, StringComparison.Ordinal)),
            BigInteger.Parse(squares.Groups["sum"].Value, CultureInfo.InvariantCulture),
            long.Parse(primes.Groups["last"].Value.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture),
            int.Parse(primes.Groups["count"].Value, CultureInfo.InvariantCulture),
            ParseULong(roots.Groups["n"].Value.Replace("_", string.Empty, StringComparison.Ordinal)),
            ParseDouble(roots.Groups["naive"].Value),
            ParseDouble(roots.Groups["exact"].Value));
    }

    private static Match Find(string text, string pattern)
    {
        var match = Regex.Match(text, pattern, RegexOptions.CultureInvariant);
        return match.Success ? match : throw new FormatException($"seed-expected.md in {FolderPath} has no line matching /{pattern}/.");
    }

    private static ulong ParseULong(string text) => ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    // The tables print Python's repr, the shortest string that round-trips, so parsing gives back the exact double.
    private static double ParseDouble(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
