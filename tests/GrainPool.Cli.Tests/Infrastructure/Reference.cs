using System.Globalization;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// The public reference values in the repository's <c>tests/reference/</c> (see <see cref="GrainPool.Tests.Shared.ReferenceFolder"/>).
/// </summary>
internal static class Reference
{
    /// <summary>The reference folder.</summary>
    public static string Directory => GrainPool.Tests.Shared.ReferenceFolder.Path;

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

    private static IEnumerable<string[]> ReadTable(string file) =>
        File.ReadLines(Path.Combine(Directory, file))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'));
}
