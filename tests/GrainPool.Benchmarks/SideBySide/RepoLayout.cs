namespace GrainPool.Benchmarks.SideBySide;

/// <summary>Where the repository and the shared reference folder are, found by walking up from the working directory.</summary>
/// <param name="Root">The repository root (the folder holding GrainPool.slnx).</param>
/// <param name="SharedDir">The shared folder beside the repository (holds reference/prime-counts.tsv), when there is one.</param>
internal sealed record RepoLayout(string Root, string? SharedDir)
{
    public string PythonDir => Path.Combine(Root, "tests", "GrainPool.Benchmarks", "python");

    public string CliProject => Path.Combine(Root, "client", "GrainPool.Cli");

    public string DefaultCliDll => Path.Combine(CliProject, "bin", "Release", "net10.0", "GrainPool.Cli.dll");

    public string? PrimeCountsFile => SharedDir is null ? null : Path.Combine(SharedDir, "reference", "prime-counts.tsv");

    public static RepoLayout Locate()
    {
        string[] starts = [Environment.CurrentDirectory, AppContext.BaseDirectory];
        var root = starts.Select(start => FindUp(start, dir => File.Exists(Path.Combine(dir, "GrainPool.slnx"))))
                .FirstOrDefault(found => found is not null)
            ?? throw new ArgumentException("cannot find the repository root (GrainPool.slnx) above the working directory or the program");
        var sharedParent = FindUp(root, dir => File.Exists(Path.Combine(dir, "shared", "reference", "prime-counts.tsv")));
        return new RepoLayout(root, sharedParent is null ? null : Path.Combine(sharedParent, "shared"));
    }

    private static string? FindUp(string start, Func<string, bool> matches)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            if (matches(dir.FullName))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
