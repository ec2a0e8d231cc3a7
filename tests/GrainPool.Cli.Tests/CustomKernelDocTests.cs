using System.Text.RegularExpressions;
using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Grains;
using GrainPool.Hosting;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Tests;

/// <summary>
/// docs/custom-kernels.md, compiled and run: its declaration and handle are copied below as the page shows them (the
/// first test checks that they still match the page), registered with the page's one line on an embedded silo and
/// called as the page calls them.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed partial class CustomKernelDocTests
{
    [Fact]
    public void The_pages_declaration_and_handle_are_the_code_compiled_here()
    {
        var root = RepositoryRoot();
        var page = File.ReadAllText(Path.Combine(root, "docs", "custom-kernels.md"));
        var here = Normalized(File.ReadAllText(Path.Combine(root, "tests", "GrainPool.Cli.Tests", "CustomKernelDocTests.cs")));
        var blocks = CSharpBlocks().Matches(page).Select(m => m.Groups[1].Value).ToList();

        Assert.True(blocks.Count >= 4, $"the page has {blocks.Count} C# blocks");
        foreach (var block in blocks.Take(2))
        {
            var code = string.Join('\n', block.Split('\n').Where(line => !line.StartsWith("using ", StringComparison.Ordinal)));
            Assert.Contains(Normalized(code), here, StringComparison.Ordinal);
        }

        Assert.Contains("s => s.AddGrainPoolKernel(MyKernels.CollatzMax)", page, StringComparison.Ordinal);
        Assert.Contains("client.RunRangeAsync(MyKernels.CollatzMax, 1, 1_000_000)", page, StringComparison.Ordinal);
        Assert.Contains("return await GrainPoolSiloHost.RunAsync(args, silo => silo.AddGrainPoolKernel(MyKernels.CollatzMax));", page, StringComparison.Ordinal);
    }

    // The page's silo program, compiled here (not run: it would run a silo until it is stopped).
    internal static async Task<int> PagesSiloProgram(string[] args) =>
        await GrainPoolSiloHost.RunAsync(args, silo => silo.AddGrainPoolKernel(MyKernels.CollatzMax));

    [Fact]
    public async Task The_pages_kernel_registered_with_its_one_line_runs_on_an_embedded_silo()
    {
        await using var silo = await EmbeddedSilo.StartAsync(cores: null, s => s.AddGrainPoolKernel(MyKernels.CollatzMax));
        var client = new GrainPoolClient(silo.Client);

        var result = await client.RunRangeAsync(MyKernels.CollatzMax, 1, 1_000_000);

        // Project Euler 14 / OEIS A006577: below 10^6 the longest chain starts at 837,799 and takes 524 steps.
        Assert.Equal(524UL, result.Value);
        Assert.Equal(StepsByRecursion(837_799), result.Value);
        Assert.True(result.Stats.Workers >= 1);
    }

    // An independent count: the same definition written another way (recursion over the sequence).
    private static ulong StepsByRecursion(ulong n) => n == 1 ? 0 : 1 + StepsByRecursion(n % 2 == 0 ? n / 2 : (3 * n) + 1);

    private static string Normalized(string code) => Whitespace().Replace(code, " ").Trim();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GrainPool.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No GrainPool.slnx above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlocks();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

// The page's code, as the page shows it (without its using lines, which are at the top of this file).
public sealed class CollatzMaxStoppingTimeKernel : IRangeKernel<ulong>
{
    public string Id => "my/collatz-max";        // what the silos register it under and the client calls
    public ulong MinChunkSize => 1UL << 12;     // smallest chunk worth a round trip
    public ulong Zero => 0;                      // the result of an empty range

    public ulong Compute(ulong first, ulong last)  // one chunk, both ends included
    {
        ulong longest = 0;
        for (var n = first; ; n++)
        {
            longest = Math.Max(longest, StoppingTime(n));
            if (n == last) return longest;
        }
    }

    public ulong Combine(ulong left, ulong right) => Math.Max(left, right);

    private static ulong StoppingTime(ulong n)
    {
        ulong steps = 0;
        for (; n > 1; steps++) n = (n & 1) == 0 ? n >> 1 : 3 * n + 1;
        return steps;
    }
}

public static class MyKernels
{
    public static readonly RangeKernel<ulong> CollatzMax = new(new CollatzMaxStoppingTimeKernel());
    // item kernels: new ItemKernel<TItem, TResult>(new MyItemKernel()), or KernelHandle.For(new MyItemKernel())
}
