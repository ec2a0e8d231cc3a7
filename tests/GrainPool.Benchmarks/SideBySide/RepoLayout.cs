namespace GrainPool.Benchmarks.SideBySide;

/// <summary>Where the repository is, found by walking up from the working directory.</summary>
/// <param name="Root">The repository root (the folder holding GrainPool.slnx).</param>
internal sealed record RepoLayout(string Root)
{
    public string PythonDir => Path.Combine(Root, "tests", "GrainPool.Benchmarks", "python");

    public string CliProject => Path.Combine(Root, "client", "GrainPool.Cli");

    public string DefaultCliDll => Path.Combine(CliProject, "bin", "Release", "net10.0", "GrainPool.Cli.dll");

    /// <summary>pi(x) at powers of ten (OEIS A006880), in the repository's reference tables.</summary>
    public string PrimeCountsFile => Path.Combine(Root, "tests", "reference", "prime-counts.tsv");

    public static RepoLayout Locate()
    {
        string[] starts = [Environment.CurrentDirectory, AppContext.BaseDirectory];
        var root = starts.Select(start => FindUp(start, dir => File.Exists(Path.Combine(dir, "GrainPool.slnx"))))
                .FirstOrDefault(found => found is not null)
            ?? throw new ArgumentException("cannot find the repository root (GrainPool.slnx) above the working directory or the program");
        return new RepoLayout(root);
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
