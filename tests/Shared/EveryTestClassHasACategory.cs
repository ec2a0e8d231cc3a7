namespace GrainPool.Tests.Shared;

/// <summary>Compiled into every test project: a test class without its category would escape the quick filters.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class EveryTestClassHasACategory
{
    [Fact]
    public void Every_test_class_in_this_project_carries_exactly_one_known_category() =>
        Assert.Empty(TestCategory.UncategorisedTestClasses(typeof(EveryTestClassHasACategory).Assembly));
}
