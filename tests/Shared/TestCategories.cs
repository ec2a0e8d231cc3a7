using System.Reflection;

namespace GrainPool.Tests.Shared;

/// <summary>
/// The test categories, as the xUnit trait <c>Category</c> on every test class
/// (<c>[Trait(TestCategory.Name, TestCategory.Unit)]</c>), so that <c>dotnet test --filter Category=Unit</c> runs the
/// quick set while developing:
/// <list type="bullet">
/// <item><see cref="Unit"/>: code in the test process, no cluster, no other process.</item>
/// <item><see cref="Cluster"/>: in-process Orleans test clusters (silos in the test process).</item>
/// <item><see cref="Processes"/>: the <c>grainpool</c> command and silos as real separate processes.</item>
/// <item><see cref="Observability"/>: a real Prometheus and a real browser against real silo processes.</item>
/// <item><see cref="Packages"/>: the packed packages and tool, consumed by programs made with <c>dotnet new</c>.</item>
/// <item><see cref="Soak"/>: long runs under faults, not in the default run (<c>./test.sh --filter Category=Soak</c>).</item>
/// </list>
/// </summary>
public static class TestCategory
{
    /// <summary>The trait's name.</summary>
    public const string Name = "Category";

    public const string Unit = nameof(Unit);
    public const string Cluster = nameof(Cluster);
    public const string Processes = nameof(Processes);
    public const string Observability = nameof(Observability);
    public const string Packages = nameof(Packages);
    public const string Soak = nameof(Soak);

    private static readonly string[] All = [Unit, Cluster, Processes, Observability, Packages, Soak];

    /// <summary>
    /// The test classes of <paramref name="assembly"/> that do not carry exactly one known category, with what they
    /// carry; empty when every one does.
    /// </summary>
    public static IReadOnlyList<string> UncategorisedTestClasses(Assembly assembly) =>
        [.. assembly.GetTypes()
            .Where(type => type.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any()))
            .Select(type => (type, categories: CategoriesOf(type)))
            .Where(t => t.categories.Length != 1 || !All.Contains(t.categories[0]))
            .Select(t => $"{t.type.FullName}: [{string.Join(", ", t.categories)}]")];

    // TraitAttribute keeps its name and value only in its constructor arguments.
    private static string[] CategoriesOf(Type type) =>
        [.. type.CustomAttributes
            .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == Name)
            .Select(a => (string)a.ConstructorArguments[1].Value!)];
}
