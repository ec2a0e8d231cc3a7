using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GrainPool.Packages.Tests.Infrastructure;

namespace GrainPool.Packages.Tests;

/// <summary>
/// GrainPool as a backend team consumes it: the packages `dotnet pack` makes, a console app and a class library made with
/// `dotnet new` that reference nothing of this repository but those packages, and the grainpool tool installed from them
/// into a tool manifest. Every result is checked against values computed here or published, not by GrainPool's code.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Packages)]
public sealed partial class ConsumerTests(PackedRepository packed) : IClassFixture<PackedRepository>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    /// <summary>What a user references (each with its own README) and the tool's two packages; nothing else is packed.</summary>
    private static readonly string[] PackageIds =
        ["GrainPool.Abstractions", "GrainPool.Cli.any", "GrainPool.Cli.linux-x64", "GrainPool.Client", "GrainPool.Grains", "GrainPool.Hosting", "GrainPool.Kernels"];

    /// <summary>The tool package users install: it names the tool's packages per platform and holds no program.</summary>
    private const string ToolPointer = "GrainPool.Cli";

    [Fact]
    public async Task Pack_makes_the_libraries_and_the_tool_with_metadata_readme_and_symbols_and_nothing_else()
    {
        packed.Pack.Succeeded();
        var commit = await packed.HeadCommitAsync();
        var files = Directory.GetFiles(packed.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            PackageIds.SelectMany(id => new[] { $"{id}.{packed.Version}.nupkg", $"{id}.{packed.Version}.snupkg" })
                .Append($"{ToolPointer}.{packed.Version}.nupkg").Order(StringComparer.Ordinal),
            files);

        foreach (var id in PackageIds.Append(ToolPointer))
        {
            using var package = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{id}.{packed.Version}.nupkg"));
            var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open());
            string? Field(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            XElement Element(string name) => nuspec.Descendants().Single(e => e.Name.LocalName == name);

            Assert.Equal(id, Field("id"));
            Assert.Equal(packed.Version, Field("version"));
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("expression", Element("license").Attribute("type")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(Field("tags")), $"{id} has no tags");
            var description = Field("description");
            Assert.True(description is { Length: > 40 } && description != "Package Description", $"{id}'s description: {description}");

            // The package page: the project's own README, the same bytes as in the repository.
            Assert.Equal("README.md", Field("readme"));
            using (var readme = new StreamReader(package.GetEntry("README.md")!.Open()))
            {
                var project = id == ToolPointer || id.StartsWith(ToolPointer + ".", StringComparison.Ordinal) ? ToolPointer : id;
                var projectFolder = Directory.GetFiles(packed.Root, $"{project}.csproj", SearchOption.AllDirectories).Single();
                Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(projectFolder)!, "README.md")), await readme.ReadToEndAsync());
            }

            var repository = Element("repository");
            Assert.StartsWith("https://", repository.Attribute("url")?.Value, StringComparison.Ordinal);
            if (commit is not null)
            {
                Assert.Equal(commit, repository.Attribute("commit")?.Value);
            }
        }

        // The tool: the package users install points at one package per platform, and `dotnet tool install` picks one.
        using (var pointer = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{ToolPointer}.{packed.Version}.nupkg")))
        {
            Assert.Equal("DotnetTool", PackageType(pointer, ToolPointer));
            var settings = XDocument.Load(pointer.GetEntry("tools/any/any/DotnetToolSettings.xml")!.Open());
            Assert.Equal("grainpool", settings.Descendants("Command").Single().Attribute("Name")?.Value);
            Assert.Equal(
                ["any=GrainPool.Cli.any", "linux-x64=GrainPool.Cli.linux-x64"],
                settings.Descendants("RuntimeIdentifierPackage").Select(p => $"{p.Attribute("RuntimeIdentifier")?.Value}={p.Attribute("Id")?.Value}").Order(StringComparer.Ordinal));
            Assert.DoesNotContain(pointer.Entries, e => e.Name.EndsWith(".dll", StringComparison.Ordinal));
        }

        // Each platform's package carries the silo program it starts processes from (--silos N), with its configuration;
        // the linux-x64 one is precompiled (ReadyToRun, for start-up), the portable one is not.
        foreach (var (rid, precompiled) in new[] { ("linux-x64", true), ("any", false) })
        {
            var id = $"{ToolPointer}.{rid}";
            using var tool = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{id}.{packed.Version}.nupkg"));
            Assert.Equal("DotnetToolRidPackage", PackageType(tool, id));
            var folder = $"tools/net10.0/{rid}/";
            var toolFiles = tool.Entries.Where(e => e.FullName.StartsWith(folder, StringComparison.Ordinal)).Select(e => e.FullName[folder.Length..]).ToHashSet(StringComparer.Ordinal);
            Assert.Superset(new HashSet<string>(["DotnetToolSettings.xml", "GrainPool.Cli.dll", "GrainPool.Silo.dll", "GrainPool.Silo.runtimeconfig.json", "GrainPool.Silo.deps.json", "appsettings.json"]), toolFiles);
            Assert.Equal(precompiled, IsReadyToRun(tool.GetEntry(folder + "GrainPool.Hosting.dll")!));
            Assert.Equal(precompiled, IsReadyToRun(tool.GetEntry(folder + "Orleans.Runtime.dll")!));
        }
    }

    [Fact]
    public async Task A_console_app_and_a_class_library_made_with_dotnet_new_run_a_user_kernel_from_the_packages()
    {
        packed.Pack.Succeeded();
        var folder = Directory.CreateDirectory(Path.Combine(packed.WorkFolder, "consumer")).FullName;
        // Outside the repository, so none of its Directory.Build.* files, global.json or NuGet configuration applies.
        Assert.False(folder.StartsWith(packed.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{folder} is inside {packed.Root}");
        var library = Path.Combine(folder, "Collatz.Kernels");
        var app = Path.Combine(folder, "Collatz.App");
        await Dotnet(folder, "new", "classlib", "-n", "Collatz.Kernels", "-o", library, "--no-restore");
        await Dotnet(folder, "new", "console", "-n", "Collatz.App", "-o", app, "--no-restore");
        await Dotnet(folder, "add", library, "package", "GrainPool.Abstractions", "--version", packed.Version, "--no-restore");
        await Dotnet(folder, "add", app, "package", "GrainPool.Client", "--version", packed.Version, "--no-restore");
        await Dotnet(folder, "add", app, "package", "GrainPool.Hosting", "--version", packed.Version, "--no-restore");
        await Dotnet(folder, "add", app, "reference", library);

        // The class library: docs/custom-kernels.md's declaration and handle as the page shows them, and an item kernel.
        File.Delete(Path.Combine(library, "Class1.cs"));
        var page = await File.ReadAllTextAsync(Path.Combine(packed.Root, "docs", "custom-kernels.md"));
        var blocks = CSharpBlocks().Matches(page).Select(m => m.Groups[1].Value).ToArray();
        Assert.Contains("class CollatzMaxStoppingTimeKernel", blocks[0], StringComparison.Ordinal);
        Assert.Contains("class MyKernels", blocks[1], StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(library, "CollatzMaxStoppingTimeKernel.cs"), blocks[0]);
        await File.WriteAllTextAsync(Path.Combine(library, "MyKernels.cs"), blocks[1]);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "CollatzStoppingTimeKernel.cs"), Path.Combine(library, "CollatzStoppingTimeKernel.cs"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);

        // The user's build: warnings are errors, so a package that restores with a warning fails here too.
        const ulong RangeLast = 1_000_000;
        const int MapItems = 20_000;
        var run = await Dotnet(folder, "run", "--project", app, "-c", "Release", "-p:TreatWarningsAsErrors=true", "--",
            RangeLast.ToString(System.Globalization.CultureInfo.InvariantCulture), MapItems.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var line = run.Split('\n').Select(l => l.Trim()).SingleOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.True(line is not null, $"the app printed no RESULT line:\n{run}");
        using var result = JsonDocument.Parse(line["RESULT ".Length..]);
        var root = result.RootElement;

        // The range job: Project Euler 14 (OEIS A006577): below 10^6 the longest chain starts at 837,799 and takes 524
        // steps; and the same maximum from an independent table built bottom-up here.
        Assert.Equal(524UL, root.GetProperty("rangeMax").GetUInt64());
        Assert.Equal(LongestStoppingTime(RangeLast), root.GetProperty("rangeMax").GetUInt64());
        Assert.True(root.GetProperty("rangeWorkers").GetInt32() >= 1);

        // The map: every item's stopping time, in input order, against recursion over the sequence; OEIS A006577's
        // a(27) = 111, a(97) = 118, a(871) = 178.
        var map = root.GetProperty("map").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(111, map[26]);
        Assert.Equal(118, map[96]);
        Assert.Equal(178, map[870]);
        Assert.Equal(Enumerable.Range(1, MapItems).Select(i => StepsByRecursion(i)), map);
        Assert.True(root.GetProperty("mapWorkers").GetInt32() >= 1);
    }

    [Fact]
    public async Task The_packed_tool_installed_in_a_tool_manifest_checks_the_largest_64_bit_prime_and_starts_silo_processes()
    {
        packed.Pack.Succeeded();
        var folder = Directory.CreateDirectory(Path.Combine(packed.WorkFolder, "tool-user")).FullName;
        await Dotnet(folder, "new", "tool-manifest");
        await Dotnet(folder, "tool", "install", "GrainPool.Cli", "--version", packed.Version);

        // 2^64 - 59: the largest prime below 2^64 (checked here by the tests' own reference, not by GrainPool).
        const ulong Largest = 18_446_744_073_709_551_557UL;
        Assert.Equal(ulong.MaxValue - 58, Largest);
        Assert.True(ReferencePrimality.IsPrime(Largest));
        Assert.False(ReferencePrimality.IsPrime(Largest + 2));
        using (var json = JsonDocument.Parse(await Dotnet(folder, "tool", "run", "grainpool", "is-prime", "18446744073709551557", "--json")))
        {
            var root = json.RootElement;
            Assert.Equal("is-prime", root.GetProperty("command").GetString());
            Assert.Equal("18446744073709551557", Assert.Single(root.GetProperty("values").EnumerateArray()).GetString());
            Assert.True(Assert.Single(root.GetProperty("results").EnumerateArray()).GetBoolean());
        }

        // The SDK installed the package for this platform: the precompiled one here.
        if (System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier == "linux-x64")
        {
            Assert.True(Directory.Exists(Path.Combine(packed.UserEnvironment["NUGET_PACKAGES"], "grainpool.cli.linux-x64", packed.Version)));
        }

        // The portable package, which every other platform gets, answers the same (run as the SDK runs it: dotnet <dll>).
        var portable = Path.Combine(folder, "portable");
        ZipFile.ExtractToDirectory(Path.Combine(packed.Feed, $"{ToolPointer}.any.{packed.Version}.nupkg"), portable);
        using (var json = JsonDocument.Parse(await Dotnet(folder, Path.Combine(portable, "tools", "net10.0", "any", "GrainPool.Cli.dll"), "is-prime", "18446744073709551557", "--json")))
        {
            Assert.True(Assert.Single(json.RootElement.GetProperty("results").EnumerateArray()).GetBoolean());
        }

        // --version: the package version and the commit it was packed from.
        var version = (await Dotnet(folder, "tool", "run", "grainpool", "--version")).Trim();
        var commit = await packed.HeadCommitAsync();
        Assert.Equal(commit is null ? $"grainpool {packed.Version}" : $"grainpool {packed.Version} (commit {commit[..7]})", version);

        // Silo processes started from the installed tool's own folder: pi(10^7) = 664,579 (OEIS A006880).
        using (var json = JsonDocument.Parse(await Dotnet(folder, "tool", "run", "grainpool", "primes", "count", "--to", "1e7", "--silos", "2", "--json")))
        {
            var root = json.RootElement;
            Assert.Equal("silos", root.GetProperty("mode").GetString());
            Assert.Equal(664_579, root.GetProperty("count").GetInt64());
        }
    }

    private static string? PackageType(ZipArchive package, string id) =>
        XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open()).Descendants().SingleOrDefault(e => e.Name.LocalName == "packageType")?.Attribute("name")?.Value;

    // A ReadyToRun image has a managed native header in its CLR header; an IL-only assembly has none.
    private static bool IsReadyToRun(ZipArchiveEntry assembly)
    {
        using var bytes = new MemoryStream();
        using (var stream = assembly.Open())
        {
            stream.CopyTo(bytes);
        }

        bytes.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(bytes);
        return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
    }

    private async Task<string> Dotnet(string workingDirectory, params string[] args) =>
        (await DotnetCommand.RunAsync(workingDirectory, packed.UserEnvironment, Deadline, args)).Succeeded();

    // Collatz stopping times written another way than the kernels: recursion over the sequence.
    private static int StepsByRecursion(long n) => n == 1 ? 0 : 1 + StepsByRecursion(n % 2 == 0 ? n / 2 : (3 * n) + 1);

    // The longest stopping time in 1..last from a table built bottom-up (each n reuses the first smaller value it reaches).
    private static ulong LongestStoppingTime(ulong last)
    {
        var steps = new ulong[last + 1];
        ulong longest = 0;
        for (ulong n = 2; n <= last; n++)
        {
            ulong count = 0;
            var value = n;
            while (value >= n)
            {
                value = value % 2 == 0 ? value / 2 : (3 * value) + 1;
                count++;
            }

            steps[n] = count + steps[value];
            longest = Math.Max(longest, steps[n]);
        }

        return longest;
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlocks();
}
