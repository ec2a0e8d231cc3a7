namespace GrainPool.Tests.Shared;

/// <summary>
/// Where tests keep what a person may want to look at after the run (screenshots, a load test's report):
/// <c>$GRAINPOOL_TEST_ARTIFACTS</c> when set, otherwise <c>artifacts/tests/</c> of this repository (ignored by git).
/// test.sh prints the folder at the end of the run.
/// </summary>
internal static class TestArtifacts
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var folder = Environment.GetEnvironmentVariable("GRAINPOOL_TEST_ARTIFACTS") is { Length: > 0 } given
            ? given
            : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(ReferenceFolder.Path)!)!, "artifacts", "tests");
        Directory.CreateDirectory(folder);
        return folder;
    });

    /// <summary>The artifacts folder, created if need be.</summary>
    public static string Path => Root.Value;

    /// <summary>A fresh folder <paramref name="name"/> under <see cref="Path"/> (emptied if a run before left one).</summary>
    public static string Folder(string name)
    {
        var folder = System.IO.Path.Combine(Path, name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        return folder;
    }
}
