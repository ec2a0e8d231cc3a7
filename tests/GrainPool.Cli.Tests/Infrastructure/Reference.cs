using System.Globalization;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// The public reference values in <c>shared/reference/</c> beside the repository (found by walking up from the test
/// assembly's folder, so it works in a fresh clone with shared/ beside it, as in CI).
/// </summary>
internal static class Reference
{
    /// <summary>The reference folder.</summary>
    public static string Directory { get; } = Find();

    /// <summary>pi(x) for powers of ten, from prime-counts.tsv.</summary>
    public static IReadOnlyDictionary<ulong, ulong> PrimeCounts { get; } = ReadTable("prime-counts.tsv")
        .ToDictionary(row => ulong.Parse(row[0], CultureInfo.InvariantCulture), row => ulong.Parse(row[1], CultureInfo.InvariantCulture));

    /// <summary>Rows of sqrt-sums.tsv: n, the correctly rounded S(n) and the left-to-right sum, both as printed there.</summary>
    public static IReadOnlyList<(ulong N, string ExactRounded, string Naive)> SqrtSums { get; } =
        [.. ReadTable("sqrt-sums.tsv").Select(row => (ulong.Parse(row[0], CultureInfo.InvariantCulture), row[1], row[2]))];

    /// <summary>pi(x) from the table (fails the test when x is not tabulated).</summary>
    public static ulong Pi(ulong x) =>
        PrimeCounts.TryGetValue(x, out var count) ? count : throw new KeyNotFoundException($"prime-counts.tsv has no row for {x}");

    /// <summary>The tabulated x values up to <paramref name="max"/>, as theory data.</summary>
    public static TheoryData<ulong> PrimeCountPointsUpTo(ulong max) => [.. PrimeCounts.Keys.Where(x => x <= max).Order()];

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "reference");
            if (File.Exists(Path.Combine(candidate, "prime-counts.tsv")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No shared/reference/prime-counts.tsv above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<string[]> ReadTable(string file) =>
        File.ReadLines(Path.Combine(Directory, file))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'));
}
