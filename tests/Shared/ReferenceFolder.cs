namespace GrainPool.Tests.Shared;

/// <summary>
/// Where the public reference tables are: <c>tests/reference/</c> of this repository (see its README for their
/// sources), found by walking up from the test binaries, so that a clone of the repository alone passes its tests.
/// </summary>
internal static class ReferenceFolder
{
    private static readonly Lazy<string> Folder = new(Locate);

    /// <summary>The folder holding prime-counts.tsv, sqrt-sums.tsv and seed-expected.md.</summary>
    public static string Path => Folder.Value;

    /// <summary>A file in the reference folder.</summary>
    public static string File(string name) => System.IO.Path.Combine(Path, name);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "tests", "reference");
            if (System.IO.File.Exists(System.IO.Path.Combine(candidate, "prime-counts.tsv")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"No directory above {AppContext.BaseDirectory} contains tests/reference/prime-counts.tsv: the tests check " +
            "results against the public tables kept there; run them from a clone of the repository.");
    }
}
