using System.Xml.Linq;

namespace GrainPool.Packages.Tests.Infrastructure;

/// <summary>
/// The repository packed once for the test class, as its README says (<c>dotnet pack -c Release -o folder</c>), into a
/// temporary folder that also holds everything the consumer's tests make: a NuGet configuration whose sources are that
/// folder and the machine's usual one, and a private packages folder, so nothing packed here reaches the machine's
/// NuGet cache (the next run packs the same version with other contents). The folder is deleted at the end.
/// </summary>
public sealed class PackedRepository : IAsyncLifetime
{
    private static readonly TimeSpan PackDeadline = TimeSpan.FromMinutes(8);

    /// <summary>The repository's root (where GrainPool.slnx is).</summary>
    public string Root { get; } = FindRoot();

    /// <summary>The temporary folder everything lives in.</summary>
    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("grainpool-consumer-").FullName;

    /// <summary>Where <c>dotnet pack</c> put the packages.</summary>
    public string Feed => Path.Combine(WorkFolder, "feed");

    /// <summary>The version every package must carry: VersionPrefix in Directory.Build.props, read here on its own.</summary>
    public string Version { get; } = ReadVersionPrefix(FindRoot());

    /// <summary>
    /// Environment for a user's dotnet commands in <see cref="WorkFolder"/>: the private packages folder, and a dotnet home
    /// of its own, where `dotnet tool run` caches which file a local tool's id and version run (keyed by version only, so
    /// the machine's cache would keep running the tool an earlier run packed and installed under the same version).
    /// </summary>
    public IReadOnlyDictionary<string, string> UserEnvironment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = Path.Combine(WorkFolder, "packages"),
        ["DOTNET_CLI_HOME"] = Path.Combine(WorkFolder, "dotnet-home"),
    };

    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public CommandResult Pack { get; private set; } = null!;

    /// <summary>How long <c>dotnet pack</c> took.</summary>
    public TimeSpan PackTime { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Pack = await DotnetCommand.RunAsync(Root, new Dictionary<string, string>(), PackDeadline,
            "pack", Path.Combine(Root, "GrainPool.slnx"), "-c", "Release", "-o", Feed);
        PackTime = clock.Elapsed;

        // Sources: the packed folder, for GrainPool's packages only, and the NuGet source the machine already uses for
        // everything else. Packages already in the machine's cache are read from there (a fallback folder) and not
        // downloaded again; GrainPool's are not in it and go to the private folder.
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(WorkFolder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="grainpool-packed" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="grainpool-packed"><package pattern="GrainPool.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
              <fallbackPackageFolders>
                <add key="machine" value="{machineCache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(WorkFolder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The commit the repository is at, as git tells it, or null outside a git checkout.</summary>
    public async Task<string?> HeadCommitAsync()
    {
        try
        {
            var git = await DotnetCommand.RunProgramAsync("git", Root, new Dictionary<string, string>(), TimeSpan.FromSeconds(30), "rev-parse", "HEAD");
            return git.ExitCode == 0 ? git.Stdout.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GrainPool.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No GrainPool.slnx above {AppContext.BaseDirectory}: run the tests from a clone.");
    }

    private static string ReadVersionPrefix(string root) =>
        XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;
}
